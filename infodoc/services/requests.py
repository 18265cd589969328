"""Info-doc requests: numbered on arrival, moved through their workflow, audited."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infodoc.models import (
    TRANSITIONS,
    Channel,
    InfoRequest,
    RequesterKind,
    RequestStatus,
    StatusChange,
)
from members.models import Person
from portal.core.services import audit_log

# Takes the year's next `count` numbers, after `after` at least, in one statement: the
# year's row is created, or locked and raised, until the transaction ends.
NUMBERS_TAKE = """
    INSERT INTO infodoc_requestcounter (year, last_number) VALUES (%(year)s, %(after)s + %(count)s)
    ON CONFLICT (year) DO UPDATE
       SET last_number = GREATEST(infodoc_requestcounter.last_number, %(after)s) + %(count)s
    RETURNING last_number
"""


def reference_next(*, year: int) -> str:
    """`ID-<year>-<nnnn>`, consecutive within the year even under concurrency.

    Must run inside the transaction that creates the request: the counter row stays
    locked until it commits, and a rollback gives the number back.
    """
    return references_take(year=year, count=1)[0]


def references_take(*, year: int, count: int, after: int = 0) -> list[str]:
    """`count` consecutive references of `year` at once (an import), taken as
    `reference_next` takes one (same locked counter, same rollback). The counter is first
    raised to `after`, the highest number of the year the file gave itself, so that no
    reference is ever given twice."""
    with connection.cursor() as cursor:
        cursor.execute(NUMBERS_TAKE, {"year": year, "after": after, "count": count})
        [last] = cursor.fetchone()
    return [f"ID-{year}-{number:04d}" for number in range(last - count + 1, last + 1)]


@transaction.atomic
def info_request_create(
    *,
    person: Person,
    subject: str,
    question: str,
    requester_kind: str = RequesterKind.OTHER,
    channel: str = Channel.WEB,
    received_on: date | None = None,
    actor=None,
    **fields,
) -> InfoRequest:
    """Record a request with its reference; `fields` are further model fields (territory…)."""
    received_on = received_on or timezone.localdate()
    themes = fields.pop("themes", ())
    request = InfoRequest(
        reference=reference_next(year=received_on.year),
        received_on=received_on,
        channel=channel,
        person=person,
        organisation=fields.pop("organisation", None) or person.organisation,
        requester_kind=requester_kind,
        subject=subject.strip(),
        question=question.strip(),
        **fields,
    )
    # The person is a saved row of this transaction, and the one constraint (a published
    # request has its answer) is the database's too: no query to validate either.
    request.full_clean(exclude=["reference", "person"], validate_constraints=False)
    request.save()
    if themes:
        request.themes.set(themes)
    audit_log(actor=actor, obj=request, action="info_request.created", changes={"channel": channel})
    return request


@transaction.atomic
def info_request_transition(
    *, request: InfoRequest, to_status: str, actor, note: str = ""
) -> InfoRequest:
    """Move a request along its workflow; any other move is refused with a clear message."""
    request = InfoRequest.objects.select_for_update().get(pk=request.pk)
    if to_status not in TRANSITIONS[request.status]:
        raise ValidationError(
            _("A request cannot go from « %(from)s » to « %(to)s ».")
            % {
                "from": RequestStatus(request.status).label,
                "to": RequestStatus(to_status).label,
            },
            code="transition",
        )
    if to_status == RequestStatus.ANSWERED and not request.answer.strip():
        raise ValidationError(_("Write the answer before marking the request answered."))
    previous = request.status
    request.status = to_status
    update = ["status", "updated_at"]
    if to_status == RequestStatus.ANSWERED:
        request.answered_on = timezone.localdate()
        update.append("answered_on")
    request.save(update_fields=update)
    StatusChange.objects.create(
        request=request, from_status=previous, to_status=to_status, changed_by=actor, note=note
    )
    audit_log(
        actor=actor,
        obj=request,
        action="info_request.status",
        changes={"from": previous, "to": to_status, "note": note},
    )
    return request


@transaction.atomic
def info_request_assign(*, request: InfoRequest, assignee, actor) -> InfoRequest:
    """Give the request to a staff member; a new request is then in progress."""
    request = InfoRequest.objects.select_for_update().get(pk=request.pk)
    request.assignee = assignee
    request.save(update_fields=["assignee", "updated_at"])
    audit_log(
        actor=actor,
        obj=request,
        action="info_request.assigned",
        changes={"assignee": assignee.pk if assignee else None},
    )
    if assignee is not None and request.status == RequestStatus.NEW:
        return info_request_transition(
            request=request, to_status=RequestStatus.IN_PROGRESS, actor=actor
        )
    return request
