"""The filters of the public agenda (GET parameters: theme, format, departement, month, q).

Each filter narrows the agenda's sessions (events.selectors.agenda.AgendaList) by an SQL
condition on its aliases: s (the session), a (its action) and c (its commune).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import partial

import django_filters
from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from events.models import ActionFormat, Session
from events.selectors.agenda import AgendaList
from portal.core.forms import FormClassMadeOnce
from portal.core.reference import reference
from portal.core.search import (
    choices_matching,
    folded_contains,
    search_words,
    themes_matching,
)
from portal.core.widgets import Select

MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MONTHS_OFFERED = 12
SEARCH_MAX_LENGTH = 100


def month_parse(value: str) -> date | None:
    """'2026-12' → date(2026, 12, 1); None when the text is not a month."""
    match = MONTH_PATTERN.match(value or "")
    if not match:
        return None
    return date(int(match[1]), int(match[2]), 1)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_choices(selected: str = "") -> list[tuple[str, str]]:
    """The coming twelve months (and a month typed in the address), for the month filter."""
    month = timezone.localdate().replace(day=1)
    months = []
    for _index in range(MONTHS_OFFERED):
        months.append(month)
        month = _next_month(month)
    chosen = month_parse(selected)
    if chosen and chosen not in months:
        months = sorted([*months, chosen])
    return [("", _("Any month"))] + [
        (f"{m:%Y-%m}", capfirst(date_format(m, "YEAR_MONTH_FORMAT"))) for m in months
    ]


class MonthField(forms.ChoiceField):
    """A month as YYYY-MM, offered as a list of the coming months."""

    widget = Select
    default_error_messages = {"invalid": _("Choose a month (YYYY-MM).")}

    def valid_value(self, value) -> bool:
        return month_parse(value) is not None

    def to_python(self, value) -> str:
        value = super().to_python(value).strip()
        if value and month_parse(value) is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value


class MonthFilter(django_filters.Filter):
    field_class = MonthField

    def filter(self, sessions: AgendaList, value) -> AgendaList:
        month = month_parse(value)
        if month is None:
            return sessions
        start = timezone.make_aware(datetime.combine(month, datetime.min.time()))
        end = timezone.make_aware(datetime.combine(_next_month(month), datetime.min.time()))
        return sessions.where("s.starts_at >= %s AND s.starts_at < %s", start, end)


def _theme_choices() -> list[tuple[str, str]]:
    return reference().theme_choices()


def _department_choices() -> list[tuple[str, str]]:
    return reference().department_choices()


def _format_choices() -> list[tuple[str, str]]:
    return ActionFormat.choices


# Sessions of actions filed under one of the themes (ids). `= ANY(ARRAY(...))`, not EXISTS
# or IN: a separate small query for PostgreSQL, which plans the whole in half the time.
THEMED_SQL = (
    "s.action_id = ANY(ARRAY(SELECT action_id FROM events_action_themes WHERE theme_id = ANY(%s)))"
)
# Sessions of actions covering the département (id).
COVERED_SQL = (
    "s.action_id = ANY(ARRAY(SELECT action_id FROM events_action_departments"
    " WHERE department_id = %s))"
)
# What a search reads: the action's texts, the session's title and place, its commune.
SEARCHED_SQL = (
    "concat_ws(' ', a.title, a.summary, a.description, s.title, s.venue, s.address, c.name)"
)


class AgendaFilter(FormClassMadeOnce, django_filters.FilterSet):
    """Filters of the agenda's sessions; an invalid value is reported and ignored.

    The options are functions, called when the form is shown or checked: the form is
    copied for each request, and its shown part is kept (agenda.html's fragments)."""

    theme = django_filters.ChoiceFilter(
        label=_("Theme"),
        choices=_theme_choices,
        empty_label=_("All themes"),
        widget=Select,
        method="filter_theme",
    )
    format = django_filters.ChoiceFilter(
        label=_("Format"),
        choices=_format_choices,
        empty_label=_("All formats"),
        widget=Select,
        method="filter_format",
    )
    departement = django_filters.ChoiceFilter(
        label=_("Département"),
        choices=_department_choices,
        empty_label=_("All départements"),
        widget=Select,
        method="filter_departement",
    )
    month = MonthFilter(label=_("Month"))
    q = django_filters.CharFilter(
        label=_("Search"),
        help_text=_("A word of the title, the place, a theme or a format; accents are optional."),
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    class Meta:
        model = Session
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        month = self.form.fields["month"]
        month.choices = partial(month_choices, data.get("month", "") if data else "")
        self.reference = reference()

    def filter_queryset(self, sessions: AgendaList) -> AgendaList:
        """Each valid value's condition (django-filter's own asserts a QuerySet)."""
        for name, value in self.form.cleaned_data.items():
            sessions = self.filters[name].filter(sessions, value)
        return sessions

    def filter_theme(self, sessions: AgendaList, name, value) -> AgendaList:
        return sessions.where(THEMED_SQL, [self.reference.theme_pk(value)])

    def filter_format(self, sessions: AgendaList, name, value) -> AgendaList:
        return sessions.where("a.format = %s", value)

    def filter_departement(self, sessions: AgendaList, name, value) -> AgendaList:
        """Sessions of actions covering the département, or held in one of its communes."""
        department = self.reference.department_pk(value)
        return sessions.where(f"{COVERED_SQL} OR c.department_id = %s", department, department)

    def filter_search(self, sessions: AgendaList, name, value) -> AgendaList:
        """Every word is found in the texts, the venue, a theme or the format (folded:
        « santé » finds the theme Santé, « habitants » finds « habitant·es »)."""
        words = search_words(value)
        themes = themes_matching(words)
        for word in words:
            condition, params = folded_contains(SEARCHED_SQL, word)
            if themes[word]:
                condition += f" OR {THEMED_SQL}"
                params.append(themes[word])
            if formats := choices_matching(ActionFormat.choices, word):
                condition += " OR a.format = ANY(%s)"
                params.append(formats)
            sessions = sessions.where(condition, *params)
        return sessions
