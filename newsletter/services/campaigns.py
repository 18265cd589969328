"""The life of an issue: ready, scheduled, sending, paused, sent or cancelled.

Each move locks the issue row, checks the move is allowed and is audited, so two
staff members pressing "send" at once start one campaign, not two.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from newsletter.models import Delivery, DeliveryStatus, Issue, IssueStatus
from newsletter.selectors.links import issue_dead_links
from newsletter.selectors.segments import segment_describe
from newsletter.services import sending
from portal.core.services import audit_log

logger = logging.getLogger(__name__)


class IssueLinksDead(ValidationError):
    """The refusal of a move while the issue links to content a visitor cannot see."""


# Where each move may start from.
MOVES: dict[str, tuple[str, ...]] = {
    "ready": (IssueStatus.DRAFT,),
    "draft": (IssueStatus.READY,),
    "schedule": (IssueStatus.READY,),
    "unschedule": (IssueStatus.SCHEDULED,),
    "start": (IssueStatus.READY, IssueStatus.SCHEDULED),
    "pause": (IssueStatus.SENDING,),
    "resume": (IssueStatus.PAUSED,),
    "cancel": (IssueStatus.READY, IssueStatus.SCHEDULED, IssueStatus.SENDING, IssueStatus.PAUSED),
}


def _locked(issue: Issue, move: str) -> Issue:
    locked = Issue.objects.select_for_update().get(pk=issue.pk)
    if locked.status not in MOVES[move]:
        raise ValidationError(
            _("Résonances n° %(number)s is %(status)s: this is not possible now.")
            % {"number": locked.number, "status": locked.get_status_display()}
        )
    return locked


def _links_check(issue: Issue, *, at: datetime | None) -> None:
    """Refuse, naming each one, while the issue links to content a visitor cannot see."""
    dead = issue_dead_links(issue=issue, at=at)
    if dead:
        intro = _(
            "Résonances n° %(number)s links to content a visitor cannot see; remove it from "
            "the issue or put it online first:"
        ) % {"number": issue.number}
        raise IssueLinksDead([intro, *(str(link) for link in dead)])


def _set_status(
    issue: Issue, status: str, *, actor, action: str, changes: dict | None = None, **fields
) -> Issue:
    before = issue.status
    issue.status = status
    for name, value in fields.items():
        setattr(issue, name, value)
    issue.save(update_fields=["status", "updated_at", *fields])
    audit_log(
        actor=actor, obj=issue, action=action,
        changes={"status": [before, status], **(changes or {})},
    )  # fmt: skip
    return issue


def _chains_start(issue_id: int) -> None:
    from newsletter.tasks import deliveries_send

    sending.activity_touch(issue_id)
    for _chain in range(settings.NEWSLETTER_PARALLEL_BATCHES):
        deliveries_send.delay(issue_id)


@transaction.atomic
def issue_mark_ready(*, issue: Issue, actor) -> Issue:
    issue = _locked(issue, "ready")
    _links_check(issue, at=None)
    return _set_status(issue, IssueStatus.READY, actor=actor, action="newsletter.ready")


@transaction.atomic
def issue_back_to_draft(*, issue: Issue, actor) -> Issue:
    issue = _locked(issue, "draft")
    return _set_status(issue, IssueStatus.DRAFT, actor=actor, action="newsletter.draft")


@transaction.atomic
def issue_schedule(*, issue: Issue, when: datetime, actor) -> Issue:
    if when <= timezone.now():
        raise ValidationError(_("Choose a date and time in the future."))
    issue = _locked(issue, "schedule")
    _links_check(issue, at=when)
    return _set_status(
        issue, IssueStatus.SCHEDULED, actor=actor, action="newsletter.scheduled",
        changes={"segment": segment_describe(issue=issue)}, scheduled_at=when,
    )  # fmt: skip


@transaction.atomic
def issue_unschedule(*, issue: Issue, actor) -> Issue:
    issue = _locked(issue, "unschedule")
    return _set_status(
        issue, IssueStatus.READY, actor=actor, action="newsletter.unscheduled", scheduled_at=None
    )


@transaction.atomic
def issue_send_start(*, issue: Issue, actor) -> Issue:
    """Start sending now; deliveries are created by the campaign task after commit, for the
    issue's segment only. The audit entry keeps the segment the issue went to."""
    from newsletter.tasks import campaign_start

    issue = _locked(issue, "start")
    now = timezone.now()
    _links_check(issue, at=now)
    issue = _set_status(
        issue, IssueStatus.SENDING, actor=actor, action="newsletter.sending",
        changes={"segment": segment_describe(issue=issue)}, sending_started_at=now,
    )  # fmt: skip
    sending.activity_touch(issue.pk)  # the sweeper leaves it to the campaign task
    campaign_start.delay_on_commit(issue.pk)
    return issue


@transaction.atomic
def issue_pause(*, issue: Issue, actor) -> Issue:
    """Stop claiming new batches; batches in flight stop within a few messages."""
    issue = _locked(issue, "pause")
    return _set_status(issue, IssueStatus.PAUSED, actor=actor, action="newsletter.paused")


@transaction.atomic
def issue_resume(*, issue: Issue, actor) -> Issue:
    issue = _locked(issue, "resume")
    issue = _set_status(issue, IssueStatus.SENDING, actor=actor, action="newsletter.resumed")
    transaction.on_commit(lambda: _chains_start(issue.pk))
    return issue


@transaction.atomic
def issue_cancel(*, issue: Issue, actor) -> Issue:
    """Cancel what has not gone yet; what was sent stays recorded as sent."""
    issue = _locked(issue, "cancel")
    Delivery.objects.filter(issue=issue, status=DeliveryStatus.QUEUED).update(
        status=DeliveryStatus.CANCELLED, available_at=None
    )
    return _set_status(issue, IssueStatus.CANCELLED, actor=actor, action="newsletter.cancelled")


# Work of the tasks ------------------------------------------------------------------


def campaign_prepare(*, issue_id: int) -> int:
    """Create the deliveries and start the chains; safe to run twice."""
    if not Issue.objects.filter(pk=issue_id, status=IssueStatus.SENDING).exists():
        return 0
    total = sending.deliveries_create(issue_id=issue_id)
    _chains_start(issue_id)
    return total


def scheduled_issues_start() -> list[int]:
    """Start the scheduled issues whose time has come (beat, every minute)."""
    started = []
    due = Issue.objects.filter(status=IssueStatus.SCHEDULED, scheduled_at__lte=timezone.now())
    for issue in due:
        try:
            issue_send_start(issue=issue, actor=None)
        except IssueLinksDead as error:
            _schedule_refuse(issue=issue, problems=error.messages)
            continue
        except ValidationError:  # unscheduled or started by staff meanwhile
            continue
        started.append(issue.pk)
    return started


@transaction.atomic
def _schedule_refuse(*, issue: Issue, problems: list[str]) -> None:
    """A scheduled issue whose links died since: back to ready, with the reasons audited,
    rather than tried again every minute."""
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if issue.status != IssueStatus.SCHEDULED:
        return
    logger.warning("Résonances n° %s not sent: %s", issue.number, " ".join(problems))
    _set_status(
        issue, IssueStatus.READY, actor=None, action="newsletter.schedule_refused",
        changes={"problems": problems}, scheduled_at=None,
    )  # fmt: skip


def deliveries_sweep() -> dict[str, int]:
    """Queue expired leases again, restart stalled campaigns, close finished ones."""
    from newsletter.tasks import campaign_start

    returned = sending.leases_expire()
    restarted = 0
    for issue_id in sending.issues_stalled():
        if not Delivery.objects.filter(issue_id=issue_id).exists():
            campaign_start.delay(issue_id)  # its campaign task was lost with a worker
        elif sending.issue_finish_if_done(issue_id=issue_id):
            continue
        else:
            _chains_start(issue_id)
        restarted += 1
    return {"returned": returned, "restarted": restarted}
