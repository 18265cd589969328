"""References ID-<year>-<nnnn>: consecutive, never twice, even when requests arrive together."""

import threading
from datetime import date

import pytest
from django.db import connection

from infodoc.models import InfoRequest
from infodoc.services.requests import info_request_create
from tests.members.factories import PersonFactory


@pytest.mark.django_db
def test_references_are_numbered_per_year():
    person = PersonFactory()
    first = info_request_create(
        person=person, subject="A", question="?", received_on=date(2026, 12, 30)
    )
    second = info_request_create(
        person=person, subject="B", question="?", received_on=date(2026, 12, 31)
    )
    third = info_request_create(
        person=person, subject="C", question="?", received_on=date(2027, 1, 2)
    )
    assert [first.reference, second.reference, third.reference] == [
        "ID-2026-0001",
        "ID-2026-0002",
        "ID-2027-0001",
    ]


@pytest.mark.django_db(transaction=True)
def test_requests_arriving_together_get_distinct_consecutive_references():
    people = PersonFactory.create_batch(20)
    barrier = threading.Barrier(20)
    errors = []

    def submit(person):
        try:
            barrier.wait(timeout=30)
            info_request_create(person=person, subject="Sujet", question="Question ?")
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(
        int(r.rsplit("-", 1)[1]) for r in InfoRequest.objects.values_list("reference", flat=True)
    )
    assert numbers == list(range(1, 21))
