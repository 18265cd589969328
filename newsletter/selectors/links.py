"""The links of an issue that a visitor could not open when it is read.

An issue is sent to thousands of readers: a link to a draft publication, to an action
taken off the agenda or to a publication not online yet ends on a page they cannot
see. Marking an issue ready, scheduling it and sending it are refused while it holds
such a link (newsletter.services.campaigns), and the preview lists them.

Checked: the sessions (their action must be published and public), the publications
of page 1 and the initiative of page 3 (published, or scheduled to be online by the
sending). Resources have no private state (they point to other sites), free blocks
link outside the portal, and cancelled sessions are left out of the issue: none of
them can lead to a page of the portal a visitor cannot see.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from events.models import ActionStatus, Session
from newsletter.models import Issue
from portal.core.models import AuditEntry
from publications.models import Publication, PublicationStatus

WITHDRAWN_ACTION = "publication.withdrawn"  # written by publications.services


@dataclass(frozen=True)
class DeadLink:
    """One item of the issue a visitor cannot see, and why, in French."""

    item: str
    title: str
    reason: str

    def __str__(self) -> str:
        return _("%(item)s « %(title)s »: %(reason)s.") % {
            "item": self.item,
            "title": self.title,
            "reason": self.reason,
        }


def _day(value: datetime.date) -> str:
    return date_format(value, "j F Y")


def _session_problem(session: Session) -> str | None:
    action = session.action
    if action.status == ActionStatus.CANCELLED:
        return _("its action is cancelled")
    if action.status != ActionStatus.PUBLISHED:
        return _("its action is not published")
    if not action.is_public:
        return _("its action is not public (not shown in the agenda)")
    return None


def _publication_problem(
    publication: Publication, *, at: datetime.datetime | None, withdrawn: set[int]
) -> str | None:
    """Why the publication is not online at `at` (None: only what no date can fix)."""
    if publication.status == PublicationStatus.DRAFT:
        if publication.pk in withdrawn:
            return _("it was withdrawn")
        return _("it is not published")
    if at is None:
        return None
    day = timezone.localdate(at)
    # A scheduled publication is put online by the hourly task on its date; one that is
    # still scheduled when sending starts now is not online yet.
    sending_now = at <= timezone.now()
    online = publication.published_on <= day and (
        publication.status == PublicationStatus.PUBLISHED or not sending_now
    )
    if online:
        return None
    return _("it is not online yet (publication date %(date)s)") % {
        "date": _day(publication.published_on)
    }


def _withdrawn_ids(publications: list[Publication]) -> set[int]:
    drafts = [str(p.pk) for p in publications if p.status == PublicationStatus.DRAFT]
    if not drafts:
        return set()
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Publication),
        object_id__in=drafts,
        action=WITHDRAWN_ACTION,
    )
    return {int(pk) for pk in entries.values_list("object_id", flat=True)}


def issue_dead_links(*, issue: Issue, at: datetime.datetime | None = None) -> list[DeadLink]:
    """The issue's links a visitor cannot see when it is read at `at`.

    `at` is when the issue goes out (now for « send now », the chosen time for a
    schedule); None checks only what no sending date can fix (drafts, withdrawn
    publications, actions off the agenda), as when the issue is marked ready.
    """
    dead: list[DeadLink] = []
    sessions = (
        issue.sessions.filter(is_cancelled=False)
        .select_related("action")
        .order_by("starts_at", "pk")
    )
    for session in sessions:
        reason = _session_problem(session)
        if reason:
            title = session.action.title
            if session.title:
                title = f"{title} — {session.title}"
            item = _("Session of %(date)s") % {
                "date": _day(timezone.localtime(session.starts_at).date())
            }
            dead.append(DeadLink(item=item, title=title, reason=reason))
    publications = list(issue.publications.defer("body", "search_vector").order_by("title"))
    initiative = (
        Publication.objects.defer("body", "search_vector").filter(pk=issue.initiative_id).first()
        if issue.initiative_id
        else None
    )
    withdrawn = _withdrawn_ids([*publications, *([initiative] if initiative else [])])
    for publication in publications:
        reason = _publication_problem(publication, at=at, withdrawn=withdrawn)
        if reason:
            dead.append(DeadLink(item=_("Publication"), title=publication.title, reason=reason))
    if initiative is not None:
        reason = _publication_problem(initiative, at=at, withdrawn=withdrawn)
        if reason:
            dead.append(DeadLink(item=_("Local initiative"), title=initiative.title, reason=reason))
    return dead


def issue_dead_links_at(*, issue: Issue) -> list[DeadLink]:
    """For the preview and the change page: at the scheduled time, or now."""
    return issue_dead_links(issue=issue, at=issue.scheduled_at or timezone.now())
