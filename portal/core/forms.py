"""Pieces shared by the forms of every app."""

from __future__ import annotations

import copy
import functools
from datetime import date

from django import forms
from django.conf import settings
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from portal.core.models import Department
from portal.core.reference import reference
from portal.core.widgets import Select


class HoneypotForm(forms.Form):
    """Adds `website`, a field hidden by CSS (class "hp-field") that people never fill and
    many robots do: a filled one gets a polite answer and nothing is recorded."""

    HONEYPOT = "website"

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    @property
    def is_spam(self) -> bool:
        value = self.data.get(self.add_prefix(self.HONEYPOT), "")
        return bool(value.strip()) if isinstance(value, str) else bool(value)


class DepartmentField(forms.ChoiceField):
    """A département chosen by its code among those each process keeps
    (portal.core.reference): offering them costs no query. Cleaned to the Department,
    or None when none is chosen."""

    widget = Select

    def __init__(self, *, empty_label: str, **kwargs):
        def choices() -> list[tuple[str, str]]:
            return [("", empty_label), *reference().department_choices()]

        super().__init__(choices=choices, **kwargs)

    def clean(self, value) -> Department | None:
        code = super().clean(value)
        if not code:
            return None
        department = Department.objects.filter(code=code).first()
        if department is None:  # removed since the list was read
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": code}
            )
        return department


def name_fields() -> tuple[forms.CharField, forms.CharField]:
    """The first and last name of a person filling a public form about themselves, with
    the browser's autofill hints; `first_name, last_name = name_fields()` in a form body."""
    return (
        forms.CharField(
            label=_("First name"),
            max_length=100,
            widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        ),
        forms.CharField(
            label=_("Last name"),
            max_length=100,
            widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        ),
    )


class ImportFileForm(forms.Form):
    """The spreadsheet sent to an import; an importer's options form adds its own fields,
    whose values are kept with the job (`options()`: JSON, records by their id)."""

    file = forms.FileField(
        label=_("Spreadsheet"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv,.txt"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("XLSX, XLS, ODS or CSV, at most %(size)s MB.") % {
            "size": settings.IMPORT_MAX_MB
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("This file is larger than %(size)s MB: split it into several files."),
                params={"size": settings.IMPORT_MAX_MB},
            )
        return upload

    def options(self) -> dict:
        values = {}
        for name, value in self.cleaned_data.items():
            if name == "file":
                continue
            if isinstance(value, Model):
                value = value.pk
            elif isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, list | tuple | set):
                value = [item.pk if isinstance(item, Model) else item for item in value]
            values[name] = value
        return values


class FormClassMadeOnce:
    """For a django-filter FilterSet: its form class made once per process. django-filter
    makes one, with new fields, for each filterset; each form copies its fields anyway."""

    def get_form_class(self) -> type[forms.Form]:
        return _filter_form_class(type(self))


@functools.cache
def _filter_form_class(filterset: type) -> type[forms.Form]:
    """django-filter's form class of the filterset, from its filters' fields: those of
    copies, for a filter keeps the field it made, which each filterset would copy then."""
    filters = copy.deepcopy(filterset.base_filters)
    fields = {name: filter_.field for name, filter_ in filters.items()}
    return type(f"{filterset.__name__}Form", (filterset._meta.form,), fields)
