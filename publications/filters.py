"""The public list's filters (GET kind, theme, year, territory); q is read by search.py.

An invalid value (unknown kind, theme or département, a year out of range) is left out
of the filtering and reported by `PublicationFilter.ignored`; it never raises.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from portal.core.collation import french_ordered
from portal.core.forms import FormClassMadeOnce
from portal.core.models import Department, Theme
from publications.models import Publication, PublicationKind

# The facet names, in the order of the form.
FACETS = ("kind", "theme", "year", "territory")


class YearFilter(django_filters.Filter):
    field_class = forms.IntegerField


def _kind_choices() -> list[tuple[str, str]]:
    """The kinds, as a function: a form's copy of its field then copies no list of them."""
    return PublicationKind.choices


class PublicationFilter(FormClassMadeOnce, django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=_kind_choices, label=_("Kind"))
    theme = django_filters.ModelChoiceFilter(
        field_name="themes",
        to_field_name="slug",
        queryset=french_ordered(Theme.objects.all()),
        label=_("Theme"),
    )
    year = YearFilter(
        field_name="published_on", lookup_expr="year", min_value=1900, max_value=2999,
        label=_("Year"),
    )  # fmt: skip
    territory = django_filters.ModelChoiceFilter(
        field_name="departments",
        to_field_name="code",
        queryset=Department.objects.all(),
        label=_("Territory"),
    )

    class Meta:
        model = Publication
        fields = FACETS

    def cleaned(self) -> dict:
        """The valid values given, by facet name (a missing or invalid one is absent)."""
        self.errors  # noqa: B018 - validates the form
        return {
            name: value for name, value in self.form.cleaned_data.items() if value not in (None, "")
        }

    @property
    def ignored(self) -> list[str]:
        """Names of the parameters whose value was not understood."""
        return [name for name in FACETS if name in self.form.errors]

    def filter_queryset_without(self, queryset: QuerySet, exclude: str | None) -> QuerySet:
        """The queryset filtered by every valid value except the `exclude` facet."""
        for name, value in self.cleaned().items():
            if name != exclude:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return self.filter_queryset_without(queryset, None)
