"""Reads of the info-doc pages: published questions and answers, a member's own requests."""

from __future__ import annotations

from django.db.models import QuerySet

from infodoc.models import InfoRequest

PUBLIC_QA_LIMIT = 30


def public_questions(*, limit: int = PUBLIC_QA_LIMIT) -> list[InfoRequest]:
    """The requests staff published as Q&As: only their anonymised question and answer."""
    return list(
        InfoRequest.objects.filter(is_public=True)
        .exclude(public_question="")
        .exclude(public_answer="")
        .only("pk", "public_question", "public_answer", "answered_on", "received_on")
        .order_by("-answered_on", "-received_on", "-pk")[:limit]
    )


def person_requests(*, person) -> QuerySet[InfoRequest]:
    """One person's own requests, newest first; scope every member-space read with it."""
    return (
        InfoRequest.objects.filter(person=person)
        .only(
            "pk",
            "reference",
            "subject",
            "status",
            "received_on",
            "answered_on",
            "wished_by",
            "person_id",
        )
        .order_by("-received_on", "-pk")
    )


def person_request_detail(*, person, reference: str) -> InfoRequest | None:
    """One of the person's own requests with its themes and territory; None otherwise."""
    return (
        InfoRequest.objects.filter(person=person, reference=reference)
        .select_related("commune", "department", "organisation")
        .prefetch_related("themes")
        .first()
    )


def follow_request(*, pk: int) -> InfoRequest | None:
    """The request a follow link points to."""
    return InfoRequest.objects.filter(pk=pk).first()
