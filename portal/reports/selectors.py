"""The annual report's figures, gathered from the apps' own selectors.

`annual_figures(year)` returns one frozen dataclass that the PDF, the spreadsheets and
the director dashboard all render: they never query on their own, so the three always
agree. Every part carries the year before, for the changes the report comments on.

The portal holds no data for the years before it was put to use (`year_holds_data`):
their figures are not known rather than 0, so the three show « — » for them and no
change against them (`AnnualFigures.known` and `AnnualFigures.change`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from events.selectors.figures import (
    ActionFigures,
    ParticipationFigures,
    participation_figures,
    percent_change,
)
from infodoc.selectors.figures import RequestFigures, request_figures
from members.selectors.figures import (
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
from publications.selectors.figures import PublicationFigures, publication_figures

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
    # Whether the portal holds data for the year, and for the year before (year_holds_data).
    has_data: bool = True
    previous_has_data: bool = True

    def known(self, value, *, previous: bool = False):
        """`value`, a figure of the year (or of the year before), or None when the portal
        holds no data for that year: « — », never a 0 that would read as a fall."""
        return value if (self.previous_has_data if previous else self.has_data) else None

    def change(self, current, previous) -> Decimal | None:
        """The change in % from the year before; None unless both years hold data."""
        if not (self.has_data and self.previous_has_data) or current is None or previous is None:
            return None
        return percent_change(current, previous)

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


def last_complete_year() -> int:
    """The year the dashboard opens on: the last one that is over, whole against whole."""
    return timezone.localdate().year - 1


def year_holds_data(
    *, sessions: int, memberships: int, requests: int, publications: int, issues_sent: int
) -> bool:
    """Whether the portal holds data for a year: a counted session, a membership, an
    info-doc request, a publication or a sent issue of Résonances in it.

    Before that, the centre kept its figures elsewhere: the portal's zeros for such a year
    mean « not known », not « none ».
    """
    return any((sessions, memberships, requests, publications, issues_sent))


def annual_figures(*, year: int, until: datetime | None = None) -> AnnualFigures:
    """Everything the report shows for `year`; a fixed number of queries (about 40)."""
    edition = ReportEdition.objects.filter(year=year).first() or ReportEdition(year=year)
    participation = participation_figures(year=year, until=until)
    publications = publication_figures(year=year)
    requests = request_figures(year=year)
    newsletter = newsletter_figures(year=year)
    members = member_figures(year=year)
    before = participation.previous
    return AnnualFigures(
        year=year,
        participation=participation,
        publications=publications,
        requests=requests,
        newsletter=newsletter,
        members=members,
        dues=dues_figures(year=year),
        team=team(),
        funders=funders(),
        edition=edition,
        has_data=year_holds_data(
            sessions=participation.sessions,
            memberships=members.total,
            requests=requests.requests,
            publications=publications.count,
            issues_sent=newsletter.issues_sent,
        ),
        previous_has_data=year_holds_data(
            sessions=before.sessions if before else 0,
            memberships=members.previous_total,
            requests=requests.previous.requests if requests.previous else 0,
            publications=publications.previous_count,
            issues_sent=newsletter_figures(year=year - 1).issues_sent,
        ),
    )


def report_builds() -> list[ReportBuild]:
    return list(ReportBuild.objects.select_related("requested_by").order_by("-year"))
