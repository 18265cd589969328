"""The dataset generator: reproducible for a seed, and true to the apps' invariants."""

from __future__ import annotations

import io
import re
from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F, Q

from bench.dataset import generate, reference_date
from bench.dataset.command import Command as GenerateDataset
from events.models import Attendance, Registration, RegistrationStatus, Session
from infodoc.models import InfoRequest, RequestCounter
from members.models import CreditNote, DocumentKind, DocumentSequence, Invoice, Payment, Person
from newsletter.models import Delivery, Issue
from publications.models import Publication
from publications.search import search_query

SCALE = 0.01


def snapshot() -> dict:
    return {
        "people": list(Person.objects.order_by("pk").values_list("email", flat=True)[:20]),
        "publications": list(Publication.objects.order_by("pk").values_list("title", "slug")[:20]),
        "invoices": list(Invoice.objects.order_by("pk").values_list("number", "amount")),
        "attendances": Attendance.objects.filter(present=True).count(),
        "deliveries": Delivery.objects.count(),
    }


@pytest.fixture
def dataset(db):
    out = io.StringIO()
    call_command(GenerateDataset(), years=3, seed=7, scale=SCALE, stdout=out)
    return out.getvalue()


def test_same_seed_gives_the_same_rows(dataset):
    first = snapshot()
    counts = generate(years=3, seed=7, scale=SCALE, force=True).counts
    assert snapshot() == first
    assert counts["people"] == Person.objects.count() == 150
    assert re.search(rf"^people +{counts['people']}$", dataset, re.MULTILINE)
    assert generate(years=3, seed=8, scale=SCALE, force=True).counts["people"] == 150
    assert snapshot()["people"] != first["people"]


def test_refuses_a_database_with_data_without_force(dataset):
    with pytest.raises(CommandError, match="--force"):
        call_command(GenerateDataset(), years=3, scale=SCALE, stdout=io.StringIO())


def _assert_gapless(model, kind: str, prefix: str) -> None:
    by_year = defaultdict(list)
    for year, sequence, number in model.objects.values_list("year", "sequence", "number"):
        assert number == f"{prefix}{year}-{sequence:04d}"
        by_year[year].append(sequence)
    counters = dict(DocumentSequence.objects.filter(kind=kind).values_list("year", "last_number"))
    assert counters == {year: len(numbers) for year, numbers in by_year.items()}
    for numbers in by_year.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))


def test_documents_are_numbered_without_gaps(dataset):
    assert Invoice.objects.exists() and Payment.objects.exists()
    _assert_gapless(Invoice, DocumentKind.INVOICE, "")
    _assert_gapless(Payment, DocumentKind.RECEIPT, "R-")
    _assert_gapless(CreditNote, DocumentKind.CREDIT_NOTE, "AV-")
    # Chronological: a later number is never issued earlier in the same year.
    for model, date_field in ((Invoice, "issued_on"), (Payment, "paid_on")):
        dates = list(model.objects.order_by("year", "sequence").values_list("year", date_field))
        assert dates == sorted(dates)
    for invoice in Invoice.objects.prefetch_related("payments"):
        assert sum(p.amount for p in invoice.payments.all()) <= invoice.amount


def test_attendance_and_registrations_are_consistent(dataset):
    assert Attendance.objects.count() > 0
    assert not Attendance.objects.filter(session__starts_at__date__gte=reference_date()).exists()
    assert not Attendance.objects.filter(session__is_cancelled=True).exists()
    confirmed = set(
        Registration.objects.filter(status=RegistrationStatus.CONFIRMED).values_list(
            "session_id", "person_id"
        )
    )
    named = Attendance.objects.filter(is_walk_in=False).values_list("session_id", "person_id")
    assert set(named) <= confirmed
    sessions = set(Session.objects.values_list("pk", flat=True))
    assert set(Attendance.objects.values_list("session_id", flat=True)) <= sessions


def test_publications_are_found_by_the_french_search(dataset):
    published = Publication.objects.published()
    assert published.count() > 5
    # Stems and accents: "contrats de villes" finds « contrat de ville »; "sante" « santé ».
    assert published.filter(search_vector=search_query("contrats de villes")).count() == (
        published.count()
    )
    assert published.filter(search_vector=search_query("quartiers prioritaires")).exists()
    assert published.filter(search_vector=search_query("habitant")).exists()


def test_references_and_deliveries(dataset):
    counters = dict(RequestCounter.objects.values_list("year", "last_number"))
    for year, last in counters.items():
        references = set(
            InfoRequest.objects.filter(received_on__year=year).values_list("reference", flat=True)
        )
        assert references == {f"ID-{year}-{n:04d}" for n in range(1, last + 1)}
    assert not Issue.objects.filter(recipients_count=0).exists()
    assert sum(Issue.objects.values_list("recipients_count", flat=True)) == Delivery.objects.count()
    # One delivery per subscriber confirmed before the issue and still subscribed then.
    start = F("issue__sending_started_at")
    assert not Delivery.objects.filter(
        Q(subscriber__confirmed_at__isnull=True)
        | Q(subscriber__confirmed_at__gt=start)
        | Q(subscriber__unsubscribed_at__lte=start)
        | Q(subscriber__last_event_at__lte=start)
    ).exists()
