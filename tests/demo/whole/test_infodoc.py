"""The info-doc demo: last year shaped like the 2023 report, loaded twice without duplicates."""

from __future__ import annotations

from decimal import Decimal

import pytest

from demo import infodoc as infodoc_demo
from infodoc.models import InfoRequest, Loan, RequestStatus, Resource
from infodoc.selectors.figures import request_figures
from members.models import Organisation, Person

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    models = (
        InfoRequest, Resource, Loan, Person, Organisation,
        InfoRequest.themes.through, InfoRequest.resources.through,
    )  # fmt: skip
    return tuple(model.objects.count() for model in models)


@pytest.fixture
def demo(whole_demo):
    """The whole demo (tests/demo/whole/conftest.py): the day it was loaded on."""
    return whole_demo


def test_loads_twice_without_duplicates(demo):
    before = _counts()
    infodoc_demo.load_demo()
    assert _counts() == before
    references = InfoRequest.objects.values_list("reference", flat=True)
    assert len(set(references)) == len(references)


def test_last_year_is_shaped_like_the_2023_report(demo):
    figures = request_figures(year=demo.year - 1)
    assert 105 <= figures.requests <= 120
    assert 105 <= figures.previous.requests <= 125
    kinds = {share.key: share.percent for share in figures.by_requester_kind}
    assert Decimal(40) <= kinds["city"] <= Decimal(50)
    assert Decimal(15) <= kinds["state"] <= Decimal(23)
    assert Decimal(10) <= kinds["association"] <= Decimal(16)
    assert sum(kinds.values()) == Decimal("100.0")
    assert Decimal(20) <= figures.outside_area_percent <= Decimal(32)
    epcis = [share.label for share in figures.by_epci[:2]]
    assert epcis == ["CA Roissy Pays de France", "CA de Cergy-Pontoise"]
    themes = {share.label: share.percent for share in figures.by_theme}
    assert Decimal(15) <= themes["Ingénierie territoriale"] <= Decimal(23)
    assert Decimal(15) <= themes["Égalité et justice sociale"] <= Decimal(23)
    assert Decimal(4) <= themes["Jeunesse"] <= Decimal(10)
    assert figures.median_response_days is not None
    assert Decimal(1) <= figures.median_response_days <= Decimal(7)
    assert figures.answered >= 95


def test_queue_resources_loans_and_questions(demo):
    this_year = InfoRequest.objects.filter(received_on__year=demo.year)
    assert this_year.exists()
    assert InfoRequest.objects.filter(is_public=True).count() == 2
    assert Resource.objects.count() >= 38
    kinds = set(Resource.objects.values_list("kind", flat=True))
    assert kinds == {"website", "radio", "book", "report", "article"}
    overdue = Loan.objects.filter(returned_on__isnull=True, due_on__lt=demo)
    assert overdue.count() == 1
    assert (
        InfoRequest.objects.filter(
            status__in=[RequestStatus.ANSWERED, RequestStatus.CLOSED], answered_on__isnull=True
        ).count()
        == 0
    )
