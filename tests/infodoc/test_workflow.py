"""The info-doc workflow: every allowed move, every refused one, history and audit."""

from itertools import product

import pytest
from django.core.exceptions import ValidationError

from infodoc.models import TRANSITIONS, InfoRequest, RequestStatus, StatusChange
from infodoc.services.requests import info_request_assign, info_request_transition
from portal.core.models import AuditEntry
from tests.infodoc.factories import AttachmentFactory, InfoRequestFactory, ResourceFactory

pytestmark = pytest.mark.django_db

ALL_PAIRS = list(product(RequestStatus.values, RequestStatus.values))
ALLOWED = [(a, b) for a, b in ALL_PAIRS if b in TRANSITIONS[a]]
REFUSED = [(a, b) for a, b in ALL_PAIRS if b not in TRANSITIONS[a]]


def audit_actions(request: InfoRequest) -> list[str]:
    return list(
        AuditEntry.objects.for_object(request).order_by("pk").values_list("action", flat=True)
    )


def test_the_table_is_the_documented_workflow():
    assert set(ALLOWED) == {
        ("new", "in_progress"),
        ("new", "no_follow_up"),
        ("in_progress", "answered"),
        ("in_progress", "no_follow_up"),
        ("answered", "closed"),
    }
    assert len(REFUSED) == 25 - 5


@pytest.mark.parametrize(("from_status", "to_status"), ALLOWED)
def test_allowed_transition_moves_records_history_and_audits(staff_user, from_status, to_status):
    request = InfoRequestFactory(status=from_status, answer="Une réponse.")
    history_before = request.status_changes.count()

    moved = info_request_transition(
        request=request, to_status=to_status, actor=staff_user, note="ok"
    )

    request.refresh_from_db()
    assert moved.status == request.status == to_status
    assert request.status_changes.count() == history_before + 1
    change = request.status_changes.last()
    assert (change.from_status, change.to_status) == (from_status, to_status)
    assert change.changed_by == staff_user
    assert change.note == "ok"
    entry = (
        AuditEntry.objects.for_object(request)
        .filter(action="info_request.status")
        .order_by("pk")
        .last()
    )
    assert entry.actor == staff_user
    assert entry.changes == {"from": from_status, "to": to_status, "note": "ok"}
    if to_status == RequestStatus.ANSWERED:
        assert request.answered_on is not None


@pytest.mark.parametrize(("from_status", "to_status"), REFUSED)
def test_refused_transition_changes_nothing(staff_user, from_status, to_status):
    request = InfoRequestFactory(status=from_status)
    history_before = list(request.status_changes.values_list("pk", flat=True))
    audit_before = audit_actions(request)

    with pytest.raises(ValidationError) as error:
        info_request_transition(request=request, to_status=to_status, actor=staff_user)

    assert "ne peut pas passer" in " ".join(error.value.messages) or "cannot go" in " ".join(
        error.value.messages
    )
    request.refresh_from_db()
    assert request.status == from_status
    assert list(request.status_changes.values_list("pk", flat=True)) == history_before
    assert audit_actions(request) == audit_before


def test_answered_needs_an_answer(staff_user):
    request = InfoRequestFactory(status=RequestStatus.IN_PROGRESS, answer="")
    with pytest.raises(ValidationError):
        info_request_transition(request=request, to_status=RequestStatus.ANSWERED, actor=staff_user)
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_PROGRESS


def test_full_path_history_in_order(staff_user):
    request = InfoRequestFactory(status=RequestStatus.CLOSED, actor=staff_user)
    assert list(
        StatusChange.objects.filter(request=request).values_list("from_status", "to_status")
    ) == [
        ("new", "in_progress"),
        ("in_progress", "answered"),
        ("answered", "closed"),
    ]
    assert audit_actions(request) == ["info_request.created"] + ["info_request.status"] * 3


def test_assign_moves_a_new_request_in_progress_and_audits(staff_user):
    request = InfoRequestFactory()
    info_request_assign(request=request, assignee=staff_user, actor=staff_user)
    request.refresh_from_db()
    assert request.assignee == staff_user
    assert request.status == RequestStatus.IN_PROGRESS
    assert audit_actions(request)[-2:] == ["info_request.assigned", "info_request.status"]


def test_factories_build_related_objects(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    attachment = AttachmentFactory()
    resource = ResourceFactory()
    assert attachment.request.reference.startswith("ID-")
    assert attachment.file.read().startswith(b"%PDF")
    assert str(resource)
