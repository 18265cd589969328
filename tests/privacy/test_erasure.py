"""Erasure (RGPD art. 17): asked by one staff member, confirmed by another; afterwards no
text column anywhere holds the person's names, email or phone, and the annual figures of
the year are the same.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

import pytest
from django.apps import apps
from django.db import connection
from django.utils.translation import gettext as _

from events.models import Attendance, Evaluation, Registration
from members.models import Person
from portal.core.models import AuditEntry
from portal.privacy.models import ErasureRequest, ErasureStatus
from portal.privacy.registry import models_kept
from portal.privacy.selectors import subject_export, subject_find
from portal.privacy.services import (
    ErasureRefused,
    erasure_cancel,
    erasure_confirm,
    erasure_request,
    subject_erase,
)
from portal.reports.selectors import annual_figures
from tests.newsletter.factories import SubscriberFactory
from tests.privacy.factories import YEAR, person_with_traces

pytestmark = pytest.mark.django_db

EMAIL = "theodorine.quillardeau@exemple-rgpd.fr"
OTHER_EMAIL = "paulin.verdiguier@exemple-rgpd.fr"
# Accounting documents keep the payer as issued (KEPT by members.privacy): not searched.
ACCOUNTING = ("members.invoice", "members.creditnote", "members.payment")
TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb", "ARRAY")


@pytest.fixture
def staff_a(make_user):
    return make_user("agent.a@centre.example.org", staff=True, first_name="Agent")


@pytest.fixture
def staff_b(make_user):
    return make_user("agent.b@centre.example.org", staff=True, first_name="Agent")


@pytest.fixture
def traces(make_user, staff_a, client):
    user = make_user(EMAIL, first_name="Théodorine", last_name="Quillardeau")
    client.force_login(user)  # an open session
    mine = person_with_traces(
        first_name="Théodorine",
        last_name="Quillardeau",
        email=EMAIL,
        phone="06 71 82 93 04",
        user=user,
        actor=staff_a,
    )
    other = person_with_traces(
        first_name="Paulin",
        last_name="Verdiguier",
        email=OTHER_EMAIL,
        phone="07 11 22 33 44",
        sessions=mine.sessions,
        actor=staff_a,
    )
    return mine, other


def text_columns() -> list[tuple[str, str]]:
    """(table, column) of every text-like column of the public schema, but the accounting
    documents' tables."""
    skipped = {apps.get_model(label)._meta.db_table for label in ACCOUNTING}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_name, c.column_name
            FROM information_schema.columns c
            JOIN information_schema.tables t
              ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
              AND c.data_type = ANY(%s)
            ORDER BY c.table_name, c.ordinal_position
            """,
            [list(TEXT_TYPES)],
        )
        return [(table, column) for table, column in cursor.fetchall() if table not in skipped]


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def columns_holding(needles: dict[str, str]) -> dict[str, list[str]]:
    """{what: ["table.column", ...]} for each needle found anywhere (ILIKE)."""
    found: dict[str, list[str]] = {}
    patterns = [_like(value) for value in needles.values()]
    with connection.cursor() as cursor:
        for table, column in text_columns():
            cursor.execute(
                f'SELECT "{column}"::text FROM "{table}" WHERE "{column}"::text ILIKE ANY(%s)',  # noqa: S608
                [patterns],
            )
            for (text,) in cursor.fetchall():
                for what, value in needles.items():
                    if value.lower() in text.lower():
                        found.setdefault(what, []).append(f"{table}.{column}")
    return found


def figures(year: int) -> dict:
    """The annual report's numbers (not the names of the team or the funders)."""
    report = annual_figures(year=year)
    numbers = {
        part: dataclasses.asdict(getattr(report, part))
        for part in ("participation", "requests", "newsletter", "members", "dues")
    }
    # The members listed per category: their number, not their names (an individual
    # member's name is what the erasure takes away).
    numbers["members"]["by_category"] = [
        (category["category"], len(category["names"]))
        for category in numbers["members"]["by_category"]
    ]
    return numbers


def test_accounting_tables_skipped_are_kept_by_their_app():
    assert set(ACCOUNTING) <= set(models_kept())


def test_erasure_by_two_staff_members_leaves_no_trace_and_the_same_figures(
    traces, staff_a, staff_b
):
    mine, other = traces
    person = mine.person
    before = figures(YEAR)
    participations = Attendance.objects.filter(person=person).count()
    found = columns_holding(mine.needles)
    assert set(found) == set(mine.needles), found  # the search does find them before
    assert len({place for places in found.values() for place in places}) > 10

    subject = subject_find(email=EMAIL)
    erasure = erasure_request(
        subject=subject, requested_by=staff_a, reason=f"Courriel de Théodorine {EMAIL}"
    )
    assert erasure.status == ErasureStatus.REQUESTED
    with pytest.raises(ErasureRefused):
        erasure_confirm(erasure=erasure, confirmed_by=staff_a)
    erasure.refresh_from_db()
    assert erasure.status == ErasureStatus.REQUESTED
    assert Person.objects.get(pk=person.pk).email == EMAIL  # nothing happened

    erasure = erasure_confirm(erasure=erasure, confirmed_by=staff_b)

    # Nothing anywhere holds the names, address or phone (invoices aside).
    assert columns_holding(mine.needles) == {}
    # The other person is untouched.
    assert set(columns_holding(other.needles)) == set(other.needles)
    # The figures of the year are the same; the rows they count are still there.
    assert figures(YEAR) == before
    anonymous = Person.objects.get(pk=person.pk)
    assert (anonymous.first_name, anonymous.last_name, anonymous.email) == (
        "Personne",
        "anonymisée",
        "",
    )
    assert anonymous.department_id == person.department_id
    assert anonymous.actor_type == person.actor_type
    assert Attendance.objects.filter(person=person).count() == participations
    assert Registration.objects.filter(person=person).count() == 2
    assert Evaluation.objects.get(person=person).comments == _("[erased]")

    # The request is done, with its counts and no address.
    assert erasure.status == ErasureStatus.DONE
    assert erasure.confirmed_by == staff_b
    assert erasure.confirmed_at is not None
    assert erasure.subject_email == ""
    assert erasure.email_sha256 == hashlib.sha256(EMAIL.encode()).hexdigest()
    assert erasure.counts["members.person"] == 1
    assert erasure.counts["events.evaluation"] == 1
    assert erasure.counts["newsletter.subscriber"] == 1
    assert erasure.counts["core.user"] == 1

    # Audited with the fingerprint, never the address.
    entry = AuditEntry.objects.get(action="privacy.subject_erased")
    assert entry.actor == staff_b
    assert entry.changes["email_sha256"] == erasure.email_sha256
    assert entry.changes["counts"] == erasure.counts
    recorded = json.dumps(entry.changes, ensure_ascii=False) + entry.object_repr
    for value in mine.needles.values():
        assert value.lower() not in recorded.lower()

    # Irreversible, and not done twice.
    with pytest.raises(ErasureRefused, match=_("This erasure is already done.")):
        erasure_confirm(erasure=erasure, confirmed_by=staff_b)
    assert AuditEntry.objects.filter(action="privacy.subject_erased").count() == 1


def test_nothing_is_left_to_export_after_the_erasure(traces, staff_a, staff_b):
    erasure = erasure_request(subject=subject_find(email=EMAIL), requested_by=staff_a, reason="x")
    erasure_confirm(erasure=erasure, confirmed_by=staff_b)
    sections = subject_export(subject=subject_find(email=EMAIL))["sections"]
    assert {section["app"] for section in sections} == {"privacy"}  # the request, done
    assert EMAIL not in json.dumps(sections)
    assert "Quillardeau" not in json.dumps(sections, ensure_ascii=False)


def test_a_subject_without_a_record_is_erased_by_address(staff_a, staff_b):
    SubscriberFactory(email="lectrice@exemple-rgpd.fr", last_name="Quintavalle")
    subject = subject_find(email="lectrice@exemple-rgpd.fr")
    assert subject.person is None
    erasure = erasure_request(subject=subject, requested_by=staff_a, reason="Désinscription")
    erasure = erasure_confirm(erasure=erasure, confirmed_by=staff_b)
    assert erasure.counts["newsletter.subscriber"] == 1
    assert columns_holding({"email": "lectrice@exemple-rgpd.fr", "name": "Quintavalle"}) == {}
    entry = AuditEntry.objects.get(action="privacy.subject_erased")
    assert entry.object_id == str(erasure.pk)


def test_requests_are_refused_without_reason_staff_or_twice(traces, staff_a, make_user):
    subject = subject_find(email=EMAIL)
    member = make_user("membre.lambda@exemple-rgpd.fr")
    with pytest.raises(ErasureRefused):
        erasure_request(subject=subject, requested_by=staff_a, reason="  ")
    with pytest.raises(ErasureRefused):
        erasure_request(subject=subject, requested_by=member, reason="Pour voir")
    erasure = erasure_request(subject=subject, requested_by=staff_a, reason="Demande écrite")
    with pytest.raises(ErasureRefused):
        erasure_request(subject=subject, requested_by=staff_a, reason="Encore")
    with pytest.raises(ErasureRefused):
        erasure_confirm(erasure=erasure, confirmed_by=member)
    assert AuditEntry.objects.filter(action="privacy.erasure_requested").count() == 1


def test_a_cancelled_request_cannot_be_confirmed(traces, staff_a, staff_b):
    erasure = erasure_request(subject=subject_find(email=EMAIL), requested_by=staff_a, reason="x")
    erasure = erasure_cancel(erasure=erasure, cancelled_by=staff_a)
    assert erasure.status == ErasureStatus.CANCELLED
    with pytest.raises(ErasureRefused):
        erasure_confirm(erasure=erasure, confirmed_by=staff_b)
    assert Person.objects.get(email=EMAIL)
    assert ErasureRequest.objects.get().subject_email == EMAIL


def test_subject_erase_twice_changes_nothing_the_second_time(traces):
    mine, _other = traces
    subject = subject_find(email=EMAIL)
    first = subject_erase(subject=subject, actor=None, reason="retention")
    assert first["members.person"] == 1
    second = subject_erase(subject=subject, actor=None, reason="retention")
    assert set(second.values()) == {0}, second
    assert columns_holding(mine.needles) == {}


def test_a_waiting_request_is_closed_when_retention_erases_first(traces, staff_a, staff_b):
    erasure = erasure_request(subject=subject_find(email=EMAIL), requested_by=staff_a, reason="x")
    subject_erase(subject=subject_find(email=EMAIL), actor=None, reason="retention")
    erasure.refresh_from_db()
    assert (erasure.status, erasure.subject_email) == (ErasureStatus.CANCELLED, "")
    with pytest.raises(ErasureRefused):
        erasure_confirm(erasure=erasure, confirmed_by=staff_b)
