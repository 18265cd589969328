"""After every app's demo, last year's report (the demo year) has something in each section."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from demo import reports as reports_demo
from members.models import MembershipCategory, Organisation, Person
from portal.reports.models import ReportEdition
from portal.reports.selectors import annual_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(whole_demo) -> int:
    """Last year, the demo year, in the whole demo (tests/demo/whole/conftest.py)."""
    return whole_demo.year - 1


def test_the_demo_year_is_last_year(demo):
    assert reports_demo.demo_year() == demo


def test_every_section_of_the_demo_year_is_filled(demo):
    figures = annual_figures(year=demo)

    participation = figures.participation
    assert participation.actions and participation.sessions and participation.participations
    assert participation.previous is not None
    assert participation.by_department and participation.by_actor_type and figures.top_actions
    assert figures.publications.count and figures.publications.by_kind
    assert figures.requests.requests and figures.requests.by_requester_kind
    assert figures.requests.by_theme and figures.requests.by_epci
    assert figures.newsletter.subscribers
    categories = {group.category: group.names for group in figures.members.by_category}
    for category in (
        MembershipCategory.ASSOCIATION,
        MembershipCategory.INDIVIDUAL,
        MembershipCategory.CITY,
        MembershipCategory.EPCI,
    ):
        assert categories[category], category
    assert figures.dues.invoiced and figures.dues.collected and figures.dues.invoices
    assert len(figures.team) >= 5
    assert {"Directrice", "Chargé de mission"} <= {member.job_title for member in figures.team}
    assert 7 <= len(figures.board) <= 10
    roles = " ".join(role for _name, role in figures.board)
    for role in ("présidente", "trésorière", "secrétaire", "administrat"):
        assert role in roles
    assert "Préfecture de la région Île-de-France" in figures.funders
    assert "ARS Île-de-France" in figures.funders
    assert len(figures.funders) >= 6
    assert figures.edition.pk and figures.edition.foreword and figures.edition.perspectives
    assert str(demo) in figures.edition.foreword


def test_the_demo_year_has_newsletter_issues(demo):
    figures = annual_figures(year=demo)
    assert figures.newsletter.issues_sent == 10
    assert figures.newsletter.delivery_rate is not None


def test_the_report_demo_loads_twice_without_duplicates(demo):
    def counts() -> tuple[int, ...]:
        return (
            ReportEdition.objects.count(),
            Person.objects.exclude(job_title="").filter(user__is_staff=True).count(),
            get_user_model().objects.count(),
            Organisation.objects.filter(is_funder=True).count(),
        )

    before = counts()
    edition = ReportEdition.objects.get(year=demo)
    edition.foreword = "Texte revu par la direction."
    edition.save()
    reports_demo.load_demo()
    assert counts() == before
    edition.refresh_from_db()
    assert edition.foreword == "Texte revu par la direction."  # a director's text is kept


def test_the_extra_team_accounts_cannot_sign_in_with_a_password(demo):
    team = get_user_model().objects.filter(email__endswith=f"@{reports_demo.TEAM_DOMAIN}")
    assert team.count() == len(reports_demo.TEAM)
    assert not any(user.has_usable_password() for user in team)
    assert not any(user.groups.exists() for user in team)
