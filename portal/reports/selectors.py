"""The annual report's figures, gathered from the apps' own selectors.

`annual_figures(year)` returns one frozen dataclass that the PDF, the spreadsheets and
the director dashboard all render: they never query on their own, so the three always
agree. Every part carries the year before, for the changes the report comments on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from events.selectors.statistics import ActionFigures, ParticipationFigures, participation_figures
from infodoc.selectors.statistics import RequestFigures, request_figures
from members.selectors_figures import (
    DuesFigures,
    MemberFigures,
    TeamMember,
    dues_figures,
    funders,
    member_figures,
    team,
)
from newsletter.selectors.figures import NewsletterFigures, newsletter_figures
from portal.reports.models import ReportBuild, ReportEdition
from publications.selectors_figures import PublicationFigures, publication_figures

TOP_ACTIONS = 10


@dataclass(frozen=True)
class AnnualFigures:
    year: int
    participation: ParticipationFigures  # with .previous
    publications: PublicationFigures
    requests: RequestFigures  # with .previous
    newsletter: NewsletterFigures
    members: MemberFigures
    dues: DuesFigures
    team: tuple[TeamMember, ...]
    funders: tuple[str, ...]
    # The directors' texts for the year (an unsaved, empty edition when none was written).
    edition: ReportEdition

    @property
    def top_actions(self) -> tuple[ActionFigures, ...]:
        """The actions with the most participations (per_action is sorted that way)."""
        return self.participation.per_action[:TOP_ACTIONS]

    @property
    def board(self) -> list[tuple[str, str]]:
        return self.edition.board_members()


def report_years() -> list[int]:
    """The years a report can be built for: this one and the nine before, newest first."""
    current = timezone.localdate().year
    return list(range(current, current - 10, -1))


def annual_figures(*, year: int, until: datetime | None = None) -> AnnualFigures:
    """Everything the report shows for `year`; a fixed number of queries (about 35)."""
    edition = ReportEdition.objects.filter(year=year).first() or ReportEdition(year=year)
    return AnnualFigures(
        year=year,
        participation=participation_figures(year=year, until=until),
        publications=publication_figures(year=year),
        requests=request_figures(year=year),
        newsletter=newsletter_figures(year=year),
        members=member_figures(year=year),
        dues=dues_figures(year=year),
        team=team(),
        funders=funders(),
        edition=edition,
    )


def report_builds() -> list[ReportBuild]:
    return list(ReportBuild.objects.select_related("requested_by").order_by("-year"))
