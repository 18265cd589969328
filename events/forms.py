"""The public registration form of an action page; no side effects."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events.models import RegistrationMode, Session
from members.models import ActorType
from portal.core.formats import format_time
from portal.core.forms import DepartmentField, HoneypotForm, name_fields
from portal.core.pagecache import live_fragment
from portal.core.widgets import Select

ALL_SESSIONS = "all"
EN_DASH = " \u2013 "


def session_when(session: Session) -> str:
    """'mardi 8 décembre 2026, 9 h 30 - 12 h 30' (an en dash), in the site's time zone.

    The one place where a session's date is put in words: pages, form and emails.
    """
    start = timezone.localtime(session.starts_at)
    end = timezone.localtime(session.ends_at)
    if start.date() == end.date():
        return gettext("%(date)s, %(start)s – %(end)s") % {  # noqa: RUF001
            "date": date_format(start, "l j F Y"),
            "start": format_time(start),
            "end": format_time(end),
        }
    return gettext("from %(start)s to %(end)s") % {
        "start": f"{date_format(start, 'l j F Y')}, {format_time(start)}",
        "end": f"{date_format(end, 'l j F Y')}, {format_time(end)}",
    }


def session_full_note(session: Session) -> str:
    """The note after a full session's choice (`seats_left` annotation), or "" (not full)."""
    if getattr(session, "seats_left", None) == 0 and session.mode == RegistrationMode.OPEN:
        return EN_DASH + gettext("full: you will be on the waiting list")
    return ""


def session_label(session: Session) -> SafeString:
    """The choice's label; says when the session is full, in a live fragment of the page
    cache (portal.core.pagecache): a registration changes it without dropping the page."""
    label = session_when(session)
    if session.title:
        label = f"{session.title}{EN_DASH}{label}"
    return format_html("{}{}", label, live_fragment("session-full", session.pk, ""))


class SessionChoiceField(forms.ChoiceField):
    """Offers the open sessions; accepts any session of the action (`accepted`)."""

    accepted: frozenset[str] = frozenset()

    def valid_value(self, value) -> bool:
        return str(value) in self.accepted


class RegistrationForm(HoneypotForm):
    """Who registers, and for which session (or every session of the action).

    `sessions` are all the sessions of the action (annotated by the selector); the
    choices offer the open ones, but any session of the action is accepted here so
    that the service can say why a session that just closed refuses.
    """

    session = SessionChoiceField(
        label=_("Session"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a session.")},
    )
    first_name, last_name = name_fields()
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("Your confirmation and the cancellation link are sent to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    organisation_name = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    job_title = forms.CharField(
        label=_("Job title"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    actor_type = forms.ChoiceField(
        label=_("You are"),
        choices=ActorType.choices,
        initial=ActorType.OTHER,
        widget=Select,
    )
    department = DepartmentField(
        label=_("Département where you work"),
        required=False,
        empty_label=_("Another département"),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the centre keeps these details to handle my registration, send me "
            "the practical information and count the participation."
        ),
        required=True,
        error_messages={"required": _("Your consent is needed to register you.")},
    )

    def __init__(self, *args, sessions: list[Session], open_sessions: list[Session], **kwargs):
        super().__init__(*args, **kwargs)
        self.sessions = {str(session.pk): session for session in sessions}
        choices = [(str(session.pk), session_label(session)) for session in open_sessions]
        if len(open_sessions) > 1:
            choices.insert(0, (ALL_SESSIONS, _("All the sessions of this action")))
        field = self.fields["session"]
        field.choices = choices
        field.accepted = frozenset(self.sessions) | (
            {ALL_SESSIONS} if len(self.sessions) > 1 else set()
        )
        if len(choices) == 1:
            field.initial = choices[0][0]

    def chosen_session(self) -> Session | None:
        """The session chosen; None for every session of the action."""
        value = self.cleaned_data["session"]
        return None if value == ALL_SESSIONS else self.sessions[value]

    def person_data(self) -> dict:
        """The cleaned values for members' person_match_or_create()."""
        data = self.cleaned_data
        return {
            "email": data["email"],
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "organisation_name": data["organisation_name"],
            "job_title": data["job_title"],
            "actor_type": data["actor_type"],
            "department": data["department"],
        }
