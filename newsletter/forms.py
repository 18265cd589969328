"""Forms of the newsletter: subscribing, the subscriber's preferences, and the staff's
entry of a subscriber. Validation only; the views call the services."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import ActorType
from newsletter.models import MailFormat, Subscriber
from portal.core.collation import french_ordered
from portal.core.erasures import ERASED_REFUSAL, address_erased
from portal.core.forms import HoneypotForm, name_fields
from portal.core.models import Department, Theme
from portal.core.widgets import Select


class DepartmentField(forms.ModelChoiceField):
    """A département chosen by its code; odd values are refused before any query."""

    widget = Select

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Department.objects.order_by("code"))
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("required", False)
        kwargs.setdefault("empty_label", _("Choose a département"))
        kwargs.setdefault("label", _("Département where you work"))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str) and (len(value) > 3 or "\x00" in value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


def _optional_names() -> tuple[forms.CharField, forms.CharField]:
    first_name, last_name = name_fields()
    first_name.required = last_name.required = False
    return first_name, last_name


class SubscriberDetailsForm(forms.Form):
    """Who the subscriber is: all optional, used to count readers by kind and territory."""

    first_name, last_name = _optional_names()
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    actor_type = forms.ChoiceField(
        label=_("You are"), choices=ActorType.choices, initial=ActorType.OTHER, widget=Select
    )
    department = DepartmentField()

    def details(self) -> dict:
        """The cleaned details, as the services take them."""
        return {
            name: self.cleaned_data[name]
            for name in ("first_name", "last_name", "organisation", "actor_type", "department")
        }


class SubscribeForm(HoneypotForm, SubscriberDetailsForm):
    """The public subscription form (double opt-in: a confirmation link is emailed)."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("A link to confirm your subscription is sent to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree to receive the newsletter Résonances by email. The centre keeps my "
            "address and the details I give to send it and to count its readers; I can "
            "unsubscribe at any time with the link in every issue."
        ),
        required=True,
        error_messages={"required": _("Your consent is needed to subscribe you.")},
    )

    field_order = [
        "email", "first_name", "last_name", "organisation", "actor_type", "department",
        "consent",
    ]  # fmt: skip


class PreferencesForm(SubscriberDetailsForm):
    """What a subscriber changes from the link in their emails."""

    mail_format = forms.ChoiceField(
        label=_("Format of the emails"),
        choices=MailFormat.choices,
        widget=forms.RadioSelect,
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes that interest you"),
        queryset=french_ordered(Theme.objects.all()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Some issues are sent only to the readers of a theme. Without a theme you receive "
            "the issues sent to everyone."
        ),
    )

    field_order = [
        "mail_format", "themes", "first_name", "last_name", "organisation", "actor_type",
        "department",
    ]  # fmt: skip

    @classmethod
    def for_subscriber(cls, subscriber: Subscriber, data=None) -> PreferencesForm:
        initial = {
            "mail_format": subscriber.mail_format,
            "first_name": subscriber.first_name,
            "last_name": subscriber.last_name,
            "organisation": subscriber.organisation,
            "actor_type": subscriber.actor_type,
            "department": subscriber.department.code if subscriber.department_id else None,
            "themes": list(subscriber.themes.all()),
        }
        return cls(data, initial=initial)


class SubscriberAdminForm(forms.ModelForm):
    """A subscriber entered by staff: active at once, so the consent basis must be stated."""

    class Meta:
        model = Subscriber
        fields = [
            "email", "first_name", "last_name", "organisation", "actor_type", "department",
            "mail_format", "themes", "consent_basis", "consent_at",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "consent_basis" in self.fields:
            self.fields["consent_basis"].required = True
            self.fields["consent_basis"].help_text = _(
                "How this person agreed to receive the newsletter (e.g. « registration form "
                "of the 12 March meeting, box ticked »)."
            )
        if "consent_at" in self.fields:
            self.fields["consent_at"].required = True
            self.fields["consent_at"].initial = timezone.now

    def clean_email(self):
        email = self.cleaned_data["email"]
        if self.instance.pk is None and address_erased(email):
            raise forms.ValidationError(ERASED_REFUSAL)
        return email

    def clean_consent_at(self):
        consent_at = self.cleaned_data.get("consent_at")
        if consent_at and consent_at > timezone.now():
            raise forms.ValidationError(_("The consent cannot be given in the future."))
        return consent_at
