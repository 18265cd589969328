"""The content of an issue, page by page, and what the back office suggests to pick.

The email, its text part, the web version and the PDF all render the same
IssueContent, so the four versions of an issue never disagree. It is read with a
fixed number of queries whatever the number of items picked.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When
from django.utils import timezone

from events.models import Session
from infodoc.models import Resource
from infodoc.selectors.resources import NEWSLETTER_KINDS, resources_for_newsletter
from newsletter.models import Block, BlockPage, Issue, IssueStatus, NewsScope
from portal.core.collation import french_ordered
from portal.core.models import Department, Theme
from publications.models import Publication, PublicationKind, PublicationStatus

# What the back office offers to pick: sessions up to two months ahead, publications
# of the last two months, experience sheets not yet used as an issue's initiative.
SUGGESTION_MONTHS = 2
SUGGESTED_SHEETS = 6
SUGGESTED_RESOURCES = 12


@dataclass(frozen=True)
class ResourceGroup:
    """Resources of one kind on page 4 (« Websites », « Books »...)."""

    kind: str
    label: str
    resources: list[Resource]


@dataclass(frozen=True)
class IssueContent:
    """The four pages of an issue.

    Page 1, the centre's activity: sessions (with their action, cancelled ones left
    out, soonest first), publications and free blocks. Page 2, news blocks, national
    then local. Page 3, one local initiative (an experience sheet). Page 4, resources.
    """

    issue: Issue
    sessions: list[Session]
    publications: list[Publication]
    activity_blocks: list[Block]
    national_news: list[Block]
    local_news: list[Block]
    initiative: Publication | None
    resources: list[Resource]

    @property
    def has_activity(self) -> bool:
        return bool(self.sessions or self.publications or self.activity_blocks)

    @property
    def has_news(self) -> bool:
        return bool(self.national_news or self.local_news)

    @property
    def resource_groups(self) -> list[ResourceGroup]:
        """Page 4 grouped by kind, in the order of NEWSLETTER_KINDS; no query."""
        groups = []
        for kind in NEWSLETTER_KINDS:
            items = [resource for resource in self.resources if resource.kind == kind]
            if items:
                groups.append(ResourceGroup(kind=kind, label=str(kind.label), resources=items))
        return groups


def _kind_order() -> Case:
    return Case(
        *(When(kind=kind, then=Value(index)) for index, kind in enumerate(NEWSLETTER_KINDS)),
        default=Value(len(NEWSLETTER_KINDS)),
        output_field=IntegerField(),
    )


def _listed_publications(queryset: QuerySet[Publication]) -> QuerySet[Publication]:
    return queryset.defer("search_vector").prefetch_related(
        Prefetch("themes", queryset=french_ordered(Theme.objects.all()))
    )


def issue_content(*, issue: Issue) -> IssueContent:
    """The pages of `issue`, in eight queries.

    Drafts among the picked publications are left out: their page does not exist yet,
    and a link in an email sent to thousands of readers must not end on a 404.
    """
    sessions = list(
        issue.sessions.filter(is_cancelled=False)
        .select_related("action", "commune")
        .order_by("starts_at", "pk")
    )
    publications = list(
        _listed_publications(
            issue.publications.exclude(status=PublicationStatus.DRAFT).defer("body")
        ).order_by("-published_on", "title")
    )
    blocks = list(issue.blocks.order_by("position", "pk"))
    initiative = None
    if issue.initiative_id is not None:
        initiative = (
            _listed_publications(Publication.objects.filter(pk=issue.initiative_id))
            .prefetch_related(Prefetch("departments", queryset=Department.objects.order_by("code")))
            .first()
        )
    resources = list(issue.resources.order_by(_kind_order(), "title", "pk"))
    return IssueContent(
        issue=issue,
        sessions=sessions,
        publications=publications,
        activity_blocks=[block for block in blocks if block.page == BlockPage.ACTIVITY],
        national_news=[
            block
            for block in blocks
            if block.page == BlockPage.NEWS and block.scope == NewsScope.NATIONAL
        ],
        local_news=[
            block
            for block in blocks
            if block.page == BlockPage.NEWS and block.scope == NewsScope.LOCAL
        ],
        initiative=initiative,
        resources=resources,
    )


# Suggestions for the back office -----------------------------------------------------


@dataclass(frozen=True)
class IssueSuggestions:
    """Candidates for each page, so staff compose an issue in a few clicks."""

    sessions: list[Session]
    publications: list[Publication]
    sheets: list[Publication]
    resources: list[Resource]
    resources_since: datetime.date


def _add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after (or before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def issue_suggestions(*, issue: Issue) -> IssueSuggestions:
    """Upcoming public sessions of the next two months, publications of the last two,
    unused experience sheets and resources added since the previous issue's month.

    "Next" and "last" are counted from the issue's month (or today, if later), so a
    draft prepared ahead offers what will be current when it goes out.
    """
    month_start = issue.month.replace(day=1)
    start = max(month_start, timezone.localdate())
    until = _add_months(start, SUGGESTION_MONTHS + 1)
    sessions = list(
        Session.objects.public()
        .filter(starts_at__date__gte=start, starts_at__date__lt=until)
        .select_related("action")
        .order_by("starts_at", "pk")[:30]
    )
    publications = list(
        Publication.objects.published()
        .exclude(kind=PublicationKind.EXPERIENCE_SHEET)
        .filter(published_on__gte=_add_months(start, -SUGGESTION_MONTHS))
        .defer("body", "search_vector")
        .order_by("-published_on", "-pk")[:20]
    )
    sheets = list(
        Publication.objects.filter(kind=PublicationKind.EXPERIENCE_SHEET)
        .exclude(status=PublicationStatus.DRAFT)
        .exclude(newsletter_initiatives__status=IssueStatus.SENT)
        .defer("body", "search_vector")
        .order_by("-published_on", "-pk")[:SUGGESTED_SHEETS]
    )
    previous = (
        Issue.objects.filter(number__lt=issue.number).order_by("-number").only("month").first()
    )
    since = previous.month.replace(day=1) if previous else _add_months(month_start, -1)
    resources = resources_for_newsletter(since=since, limit=SUGGESTED_RESOURCES)
    return IssueSuggestions(
        sessions=sessions,
        publications=publications,
        sheets=sheets,
        resources=resources,
        resources_since=since,
    )
