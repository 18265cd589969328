"""Forms of the member space and of the public request to join; no side effects."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator, RegexValidator
from django.utils.translation import gettext_lazy as _

from members.models import MembershipRequest, OrganisationKind, Person
from portal.core.forms import HoneypotForm

validate_phone = RegexValidator(
    r"^\+?[0-9 .()\-]{6,30}$",
    _("Enter a phone number: digits, spaces, dots, dashes, an optional leading +."),
    code="phone",
)

MESSAGE_MAX_LENGTH = 3000


class PersonDetailsForm(forms.ModelForm):
    """One's own details in the member space; the email is changed on the account pages."""

    class Meta:
        model = Person
        fields = ["first_name", "last_name", "phone", "job_title"]
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "job_title": forms.TextInput(attrs={"autocomplete": "organization-title"}),
        }

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone:
            validate_phone(phone)
        return phone


class PersonInviteForm(forms.Form):
    """A colleague to invite to the organisation's member space."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("The invitation is sent to this address; it becomes their login."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class MembershipRequestForm(HoneypotForm, forms.ModelForm):
    """The public request to join, with a required consent and a honeypot field."""

    consent = forms.BooleanField(
        label=_(
            "I agree that the centre keeps these details to handle my request and contact me "
            "about my membership."
        ),
        required=True,
        error_messages={"required": _("Your consent is needed to handle your request.")},
    )

    class Meta:
        model = MembershipRequest
        fields = [
            "organisation_name",
            "kind",
            "first_name",
            "last_name",
            "email",
            "phone",
            "job_title",
            "town",
            "message",
        ]
        labels = {"organisation_name": _("Organisation name")}
        help_texts = {
            "organisation_name": _("Leave empty to join as an individual."),
            "kind": _("Required when you name an organisation."),
        }
        widgets = {
            "organisation_name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "job_title": forms.TextInput(attrs={"autocomplete": "organization-title"}),
            "town": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "message": forms.Textarea(attrs={"rows": 5, "maxlength": MESSAGE_MAX_LENGTH}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            ("", _("Individual (no organisation)")),
            *OrganisationKind.choices,
        ]
        self.fields["message"].validators.append(MaxLengthValidator(MESSAGE_MAX_LENGTH))

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone:
            validate_phone(phone)
        return phone

    def clean(self) -> dict:
        cleaned = super().clean()
        name = (cleaned.get("organisation_name") or "").strip()
        kind = cleaned.get("kind") or ""
        if name and not kind:
            self.add_error("kind", _("Choose the kind of your organisation."))
        elif kind and not name and "organisation_name" not in self.errors:
            self.add_error(
                "organisation_name",
                _("Give your organisation's name, or choose “Individual” as the kind."),
            )
        return cleaned

    def request_data(self) -> dict:
        """The cleaned values for membership_request_create()."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
