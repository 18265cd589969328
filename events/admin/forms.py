"""Forms of the events back office: sessions and the check-in page."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events.models import Registration, Session
from members.models import ActorType
from portal.core.models import Department


class SessionAdminForm(forms.ModelForm):
    """A session; its capacity may not go below the seats already confirmed.

    The admin saves inside one transaction: the session row is locked here, so the
    count checked is still true when events.services.registrations changes the
    capacity (see events.admin.sessions).
    """

    class Meta:
        model = Session
        fields = [
            "action", "title", "starts_at", "ends_at", "half_days_override", "venue", "address",
            "commune", "is_online", "online_url", "capacity", "registration_opens_at",
            "registration_closes_at", "mode", "is_cancelled",
        ]  # fmt: skip

    def clean_capacity(self):
        capacity = self.cleaned_data.get("capacity")
        session = self.instance
        if session.pk is None or capacity is None or capacity == session.capacity:
            return capacity
        if transaction.get_connection().in_atomic_block:
            Session.objects.select_for_update().filter(pk=session.pk).first()
        confirmed = Registration.objects.filter(session=session).confirmed().count()
        if capacity < confirmed:
            raise ValidationError(
                gettext(
                    "%(confirmed)s people are already confirmed: the capacity cannot be lower. "
                    "Cancel registrations first."
                )
                % {"confirmed": confirmed},
                code="below_confirmed",
            )
        return capacity


class WalkInForm(forms.Form):
    """Someone who came without registering (the email is optional)."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(label=_("Email"), required=False)
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        required=False,
        help_text=_("Linked to the directory when the name matches an organisation."),
    )
    actor_type = forms.ChoiceField(
        label=_("Type of actor"), choices=ActorType.choices, initial=ActorType.OTHER
    )
    department = forms.ModelChoiceField(
        label=_("Département"), queryset=Department.objects.all(), required=False
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "walk_in")
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name"):
            self.fields[name].widget.attrs["autocomplete"] = "off"
        self.fields["email"].widget.attrs.update({"autocomplete": "off", "inputmode": "email"})


class HeadcountForm(forms.Form):
    """How many people of a group came, when names are not taken."""

    department = forms.ModelChoiceField(
        label=_("Département"),
        queryset=Department.objects.all(),
        required=False,
        empty_label=_("Outside the known départements"),
    )
    actor_type = forms.ChoiceField(
        label=_("Type of actor"), choices=ActorType.choices, initial=ActorType.OTHER
    )
    count = forms.IntegerField(
        label=_("Participants"),
        min_value=0,
        max_value=100000,
        help_text=_("0 removes the group."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "headcount")
        super().__init__(*args, **kwargs)
        self.fields["count"].widget.attrs["inputmode"] = "numeric"
