"""Info-doc figures against a small fixture whose numbers were computed by hand."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from infodoc.models import InfoRequest, RequesterKind, RequestStatus, ResponseType
from infodoc.selectors.figures import request_figures
from infodoc.services.requests import info_request_create
from portal.core.models import Commune, Department, Epci, Theme
from tests.members.factories import PersonFactory

pytestmark = pytest.mark.django_db

ING, EG, JEU = "Ingénierie territoriale", "Égalité et justice sociale", "Jeunesse"


def _request(received_on, kind, *, answered_after=None, response_types=(), themes=(), **fields):
    request = info_request_create(
        person=PersonFactory(),
        subject="Demande",
        question="?",
        requester_kind=kind,
        received_on=received_on,
        themes=[Theme.objects.get(name=name) for name in themes],
        **fields,
    )
    if answered_after is not None:
        InfoRequest.objects.filter(pk=request.pk).update(
            status=RequestStatus.CLOSED,
            answer="Réponse",
            answered_on=received_on + timedelta(days=answered_after),
            response_types=list(response_types),
        )
    return request


@pytest.fixture
def fixture():
    deps = {
        code: Department.objects.get_or_create(code=code, defaults={"name": code})[0]
        for code in ("95", "78", "93")
    }
    alpha = Epci.objects.create(siren="200000001", name="CA Alpha")
    beta = Epci.objects.create(siren="200000002", name="CA Beta")
    gamma = Epci.objects.create(siren="200000003", name="CA Gamma")
    c1 = Commune.objects.create(insee_code="95901", name="Un", department=deps["95"], epci=alpha)
    c2 = Commune.objects.create(insee_code="78901", name="Deux", department=deps["78"], epci=beta)
    c3 = Commune.objects.create(insee_code="95902", name="Trois", department=deps["95"], epci=gamma)
    K, D = RequesterKind, ResponseType
    # 2024: eight requests.
    _request(date(2024, 1, 10), K.CITY, commune=c1, themes=[ING, EG], answered_after=2,
             response_types=[D.DOCUMENTS, D.BIBLIOGRAPHY])  # fmt: skip
    _request(date(2024, 2, 1), K.CITY, commune=c1, department=deps["95"], themes=[ING],
             answered_after=4, response_types=[D.DOCUMENTS])  # fmt: skip
    # An EPCI named on the request wins over its commune's.
    _request(date(2024, 3, 1), K.CITY, epci=beta, commune=c3, department=deps["78"],
             themes=[EG], answered_after=10, response_types=[D.ORIENTATION])  # fmt: skip
    _request(date(2024, 3, 31), K.STATE, department=deps["93"], themes=[JEU], answered_after=1,
             response_types=[D.DOCUMENTS])  # fmt: skip
    _request(date(2024, 5, 2), K.ASSOCIATION, department=deps["93"])
    _request(date(2024, 6, 3), K.ASSOCIATION, themes=[ING])  # no territory at all
    _request(date(2024, 7, 4), K.EPCI, epci=alpha, department=deps["95"], themes=[ING, JEU])
    _request(date(2024, 12, 31), K.CITY, commune=c2)
    # 2023: three requests, all answered (3, 8 and 5 days).
    _request(date(2023, 2, 1), K.CITY, commune=c1, answered_after=3)
    _request(date(2023, 6, 1), K.STATE, department=deps["93"], answered_after=8)
    _request(date(2023, 12, 30), K.ASSOCIATION, department=deps["95"], answered_after=5)
    # Other years do not count.
    _request(date(2025, 1, 1), K.CITY, commune=c1, answered_after=1)
    _request(date(2022, 12, 31), K.CITY, commune=c1, answered_after=1)
    return {"alpha": alpha, "beta": beta, "deps": deps, "c1": c1}


def _shares(shares):
    return [(share.key, share.count, share.percent) for share in shares if share.count]


def test_requests_and_previous_year(fixture):
    figures = request_figures(year=2024)
    assert figures.year == 2024
    assert figures.requests == 8
    assert figures.previous.year == 2023
    assert figures.previous.requests == 3
    assert figures.previous.previous is None
    assert figures.requests_change == Decimal("166.7")  # (8 - 3) / 3


def test_requester_kinds_add_up_to_100(fixture):
    figures = request_figures(year=2024)
    assert _shares(figures.by_requester_kind) == [
        ("city", 4, Decimal("50.0")),
        ("association", 2, Decimal("25.0")),
        ("epci", 1, Decimal("12.5")),
        ("state", 1, Decimal("12.5")),
    ]
    assert sum(s.percent for s in figures.by_requester_kind) == Decimal("100.0")
    # Thirds: the largest remainder takes the last tenth, still 100.
    previous = figures.previous.by_requester_kind
    assert _shares(previous) == [
        ("city", 1, Decimal("33.4")),
        ("state", 1, Decimal("33.3")),
        ("association", 1, Decimal("33.3")),
    ]
    assert sum(s.percent for s in previous) == Decimal("100.0")


def test_a_request_with_several_themes_counts_in_each(fixture):
    figures = request_figures(year=2024)
    assert [(s.label, s.count, s.percent) for s in figures.by_theme] == [
        (ING, 4, Decimal("50.0")),
        (EG, 2, Decimal("25.0")),
        (JEU, 2, Decimal("25.0")),
    ]
    assert figures.requests_without_theme == 2


def test_top_epcis_with_the_commune_epci(fixture):
    figures = request_figures(year=2024)
    alpha, beta = fixture["alpha"], fixture["beta"]
    assert [(s.key, s.label, s.count, s.percent) for s in figures.by_epci] == [
        (str(alpha.pk), "CA Alpha", 3, Decimal("37.5")),
        (str(beta.pk), "CA Beta", 2, Decimal("25.0")),
        ("unknown", "Territoire inconnu", 3, Decimal("37.5")),
    ]
    top_one = request_figures(year=2024, top_epcis=1, with_previous=False)
    assert [(s.key, s.count, s.percent) for s in top_one.by_epci] == [
        (str(alpha.pk), 3, Decimal("37.5")),
        ("other", 2, Decimal("25.0")),
        ("unknown", 3, Decimal("37.5")),
    ]
    assert top_one.previous is None
    assert sum(s.percent for s in top_one.by_epci) == Decimal("100.0")


def test_outside_area_share_leaves_unknown_apart(fixture):
    figures = request_figures(year=2024)
    assert (figures.inside_area, figures.outside_area, figures.unknown_area) == (5, 2, 1)
    assert figures.outside_area_percent == Decimal("28.6")  # 2 of the 7 located
    previous = figures.previous
    assert (previous.inside_area, previous.outside_area, previous.unknown_area) == (2, 1, 0)
    assert previous.outside_area_percent == Decimal("33.3")


def test_median_response_time_even_and_odd(fixture):
    figures = request_figures(year=2024)
    assert figures.answered == 4
    assert figures.median_response_days == Decimal("3.0")  # 1, 2, 4, 10
    assert figures.previous.answered == 3
    assert figures.previous.median_response_days == Decimal("5.0")  # 3, 5, 8


def test_response_types(fixture):
    figures = request_figures(year=2024)
    assert _shares(figures.by_response_type) == [
        ("documents", 3, Decimal("37.5")),
        ("bibliography", 1, Decimal("12.5")),
        ("orientation", 1, Decimal("12.5")),
    ]


def test_an_empty_year():
    figures = request_figures(year=2010)
    assert figures.requests == 0
    assert figures.requests_change is None
    assert figures.median_response_days is None
    assert figures.outside_area_percent is None
    assert all(share.percent == Decimal("0.0") for share in figures.by_requester_kind)


def test_a_fixed_number_of_queries_whatever_the_data_size(fixture, django_assert_num_queries):
    with django_assert_num_queries(6):
        small = request_figures(year=2024)
    for day in range(1, 15):
        _request(date(2024, 8, day), RequesterKind.STUDENT, commune=fixture["c1"],
                 themes=[EG, JEU], answered_after=day % 5,
                 response_types=[ResponseType.SPEAKERS])  # fmt: skip
    with django_assert_num_queries(6):
        large = request_figures(year=2024)
    with django_assert_num_queries(3):
        request_figures(year=2024, with_previous=False)
    assert large.requests == small.requests + 14
