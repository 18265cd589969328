"""A person's registrations, attendances, evaluations and certificates mailed, exported
and erased on request.

Erasure keeps every row the annual report counts: a registration, an attendance (a
participation) and an evaluation's scores stay, pointing to the person that members
anonymises last (same département and actor type). Only the evaluation's comments, free
text written by the person, are replaced. The certificates mailed to the person (which
hold their address and count nothing) are deleted.
The contract this module fulfils: portal.privacy.registry.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events.models import Attendance, CertificateMailing, Evaluation, Registration, Session
from portal.core.subjects import DataSubject, changes_apply, label, row_from

MODELS: tuple[str, ...] = (
    "events.registration",
    "events.attendance",
    "events.evaluation",
    "events.certificatemailing",
)
KEPT: dict[str, str] = {
    "events.registration": gettext_lazy(
        "Counted by the activity figures; it holds no name itself and points to the "
        "anonymised person."
    ),
    "events.attendance": gettext_lazy(
        "A participation counted by the annual report; it points to the anonymised person, "
        "who keeps their département and actor type."
    ),
}


def traces_since(*, cutoff: datetime) -> list[Q]:
    """Conditions on a Person row: a registration, a session or an evaluation of theirs
    at or after `cutoff` (retention keeps them)."""
    person = OuterRef("pk")
    return [
        Q(
            Exists(
                Registration.objects.filter(
                    Q(created_at__gte=cutoff)
                    | Q(cancelled_at__gte=cutoff)
                    | Q(session__starts_at__gte=cutoff),
                    person=person,
                )
            )
        ),
        Q(
            Exists(
                Attendance.objects.filter(
                    Q(session__starts_at__gte=cutoff) | Q(checked_at__gte=cutoff), person=person
                )
            )
        ),
        Q(Exists(Evaluation.objects.filter(person=person, submitted_at__gte=cutoff))),
    ]


def _session_columns(session: Session) -> dict:
    """The session as the person saw it: the action's title, the session's, when and where."""
    return {
        label(Attendance, "session"): session.title or session.action.title,
        label(Session, "action"): session.action.title,
        label(Session, "starts_at"): session.starts_at,
        label(Session, "ends_at"): session.ends_at,
        label(Session, "venue"): session.venue,
    }


def subject_data(*, subject: DataSubject) -> dict[str, list[dict]]:
    """The subject's own rows only: never another attendee of the same sessions."""
    person = subject.person
    if person is None:
        return {}
    related = ("session__action",)
    registrations = Registration.objects.filter(person=person).select_related(*related)
    attendances = Attendance.objects.filter(person=person).select_related(*related)
    evaluations = Evaluation.objects.filter(person=person).select_related(*related)
    data = {
        _("Event registrations"): [
            row_from(
                r,
                ["status", "source", "created_at", "cancelled_at", "reminder_sent_at"],
                **_session_columns(r.session),
            )
            for r in registrations.order_by("session__starts_at", "pk")
        ],
        _("Attendances"): [
            row_from(
                a,
                ["present", "is_walk_in", "checked_at", "evaluation_sent_at"],
                **_session_columns(a.session),
            )
            for a in attendances.order_by("session__starts_at", "pk")
        ],
        _("Evaluations"): [
            row_from(
                e,
                ["satisfaction", "usefulness", "comments", "submitted_at"],
                **_session_columns(e.session),
            )
            for e in evaluations.order_by("session__starts_at", "pk")
        ],
        _("Attendance certificates mailed"): [
            row_from(
                m,
                ["recipient", "status", "requested_at", "sent_at"],
                **{
                    label(CertificateMailing, "action"): m.action.title,
                },
            )
            for m in CertificateMailing.objects.filter(person=person)
            .select_related("action")
            .order_by("requested_at", "pk")
        ],
    }
    return {title: rows for title, rows in data.items() if rows}


def subject_erase(*, subject: DataSubject, placeholder: str) -> dict[str, int]:
    """Replace the evaluations' comments and delete the certificates mailed; registrations
    and attendances stay as they are."""
    counts = {"events.evaluation": 0, "events.certificatemailing": 0}
    if subject.person is None:
        return counts
    for evaluation in Evaluation.objects.filter(person=subject.person).exclude(comments=""):
        counts["events.evaluation"] += changes_apply(evaluation, {"comments": placeholder})
    deleted, _by_model = CertificateMailing.objects.filter(person=subject.person).delete()
    counts["events.certificatemailing"] = deleted
    return counts
