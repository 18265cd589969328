"""Reads of the info-doc pages: published questions and answers, a member's own requests."""

from __future__ import annotations

from django.contrib.postgres.search import SearchRank
from django.db.models import F, Q, QuerySet

from infodoc.models import InfoRequest
from portal.core.search import fts_filter, fts_text, fts_vector, search_query, themes_matching

PUBLIC_QA_LIMIT = 30


def published_questions() -> QuerySet[InfoRequest]:
    """The requests published as Q&As (their anonymised texts only: never show the rest)."""
    return (
        InfoRequest.objects.filter(is_public=True)
        .exclude(public_question="")
        .exclude(public_answer="")
        .only("pk", "public_question", "public_answer", "answered_on", "received_on")
    )


def _named_themes(words: list[str]) -> dict[str, Q]:
    """A word naming a theme finds the Q&As filed under it."""
    through = InfoRequest.themes.through.objects
    return {
        word: Q(pk__in=through.filter(theme_id__in=ids).values("inforequest_id"))
        for word, ids in themes_matching(words).items()
        if ids
    }


def public_questions(*, limit: int = PUBLIC_QA_LIMIT, q: str = "") -> list[InfoRequest]:
    """The requests staff published as Q&As: only their anonymised question and answer.

    With `q`, those the French full-text search finds in the question and the answer (the
    folding of every public search: accents, plurals, inclusive writing, theme names),
    the best match first.
    """
    queryset = published_questions()
    if q:
        vector = fts_vector("public_question", "public_answer")
        queryset = queryset.alias(qa_vector=vector).filter(
            fts_filter(q, vector="qa_vector", named=_named_themes)
        )
        rank = SearchRank(F("qa_vector"), search_query(fts_text(q)))
        queryset = queryset.alias(rank=rank).order_by("-rank", "-answered_on", "-pk")
    else:
        queryset = queryset.order_by("-answered_on", "-received_on", "-pk")
    return list(queryset[:limit])


def public_question(*, pk: int) -> InfoRequest | None:
    """One published Q&A, for its page."""
    return published_questions().filter(pk=pk).first()


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
