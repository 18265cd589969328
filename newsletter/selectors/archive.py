"""The public archive of « Résonances »: only issues that were sent are public."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from newsletter.models import Issue, IssueStatus

# The columns a list of issues shows (the editorial is read only on an issue's page).
LISTED_FIELDS = (
    "pk", "number", "month", "title", "status", "sent_at", "updated_at", "is_archived",
    "archive_url",
)  # fmt: skip


def archive_issues() -> QuerySet[Issue]:
    """Sent issues, newest first; the view paginates."""
    return Issue.objects.filter(status=IssueStatus.SENT).only(*LISTED_FIELDS).order_by("-number")


def issue_public_get(*, number: int) -> Issue:
    """The sent issue numbered `number`; Http404 for a draft, a scheduled or a cancelled one,
    so nobody reads an issue before its subscribers do."""
    issue = Issue.objects.filter(number=number, status=IssueStatus.SENT).first()
    if issue is None:
        raise Http404
    return issue


def latest_issue() -> Issue | None:
    """The last sent issue (home page), or None before the first one."""
    return archive_issues().first()
