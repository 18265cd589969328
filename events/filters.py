"""The filters of the public agenda (GET parameters: theme, format, departement, month, q)."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import partial

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q, TextField, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from events.models import Action, ActionFormat, Session
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

    def filter(self, queryset, value):
        month = month_parse(value)
        if month is None:
            return queryset
        start = timezone.make_aware(datetime.combine(month, datetime.min.time()))
        end = timezone.make_aware(datetime.combine(_next_month(month), datetime.min.time()))
        return queryset.filter(starts_at__gte=start, starts_at__lt=end)


def _theme_choices() -> list[tuple[str, str]]:
    return reference().theme_choices()


def _department_choices() -> list[tuple[str, str]]:
    return reference().department_choices()


class AgendaFilter(django_filters.FilterSet):
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
        field_name="action__format",
        choices=ActionFormat.choices,
        empty_label=_("All formats"),
        widget=Select,
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
        month = self.filters["month"].field
        month.choices = partial(month_choices, data.get("month", "") if data else "")
        self.reference = reference()

    def filter_theme(self, queryset, name, value):
        return queryset.filter(action__themes=self.reference.theme_pk(value))

    def filter_departement(self, queryset, name, value):
        department = self.reference.department_pk(value)
        covered = Action.departments.through.objects.filter(
            action_id=OuterRef("action_id"), department_id=department
        )
        return queryset.filter(Q(Exists(covered)) | Q(commune__department_id=department))

    def filter_search(self, queryset, name, value):
        """Every word is found in the texts, the venue, a theme or the format (folded:
        « santé » finds the theme Santé, « habitants » finds « habitant·es »)."""
        words = search_words(value)
        if not words:
            return queryset
        text = Concat(
            F("action__title"), Value(" "), F("action__summary"), Value(" "),
            F("action__description"), Value(" "), F("title"), Value(" "), F("venue"),
            Value(" "), F("address"), Value(" "), F("commune__name"),
            output_field=TextField(),
        )  # fmt: skip
        themes = themes_matching(words)
        for word in words:
            match = Q(folded_contains(text, word))
            if themes[word]:
                themed = Action.themes.through.objects.filter(
                    theme_id__in=themes[word], action_id=OuterRef("action_id")
                )
                match |= Q(Exists(themed))
            if formats := choices_matching(ActionFormat.choices, word):
                match |= Q(action__format__in=formats)
            queryset = queryset.filter(match)
        return queryset
