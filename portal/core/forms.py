"""Pieces shared by the public forms of every app."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


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
