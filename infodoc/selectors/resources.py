"""Reads of the resource catalogue: page 4 of the newsletter and the staff search."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from infodoc.models import Loan, Resource
from portal.core.collation import french_ordered
from portal.core.models import Theme

# The kinds the newsletter's page 4 (« resources spotted ») presents, in this order.
NEWSLETTER_KINDS = (
    Resource.Kind.WEBSITE,
    Resource.Kind.RADIO,
    Resource.Kind.BOOK,
    Resource.Kind.REPORT,
    Resource.Kind.ARTICLE,
)


def _with_loan_state(queryset: QuerySet[Resource]) -> QuerySet[Resource]:
    open_loans = Loan.objects.filter(resource=OuterRef("pk"), returned_on__isnull=True)
    return queryset.annotate(is_on_loan=Exists(open_loans)).prefetch_related(
        Prefetch("themes", queryset=french_ordered(Theme.objects.all()))
    )


def resources_for_newsletter(*, since: date, limit: int = 8) -> list[Resource]:
    """Resources added since `since` (included), newest first, at most `limit`; 2 queries.

    Each has its themes prefetched and `is_on_loan` annotated.
    """
    start = timezone.make_aware(datetime.combine(since, time.min))
    queryset = Resource.objects.filter(created_at__gte=start, kind__in=NEWSLETTER_KINDS)
    return list(_with_loan_state(queryset).order_by("-created_at", "-pk")[:limit])


def resource_search(
    *,
    query: str = "",
    kind: str | None = None,
    theme: Theme | int | None = None,
    lendable: bool | None = None,
    on_loan: bool | None = None,
) -> QuerySet[Resource]:
    """Staff search: every word of `query` in the title, author or publisher (any case),
    narrowed by kind, theme, lendability and loan state; themes prefetched."""
    queryset = _with_loan_state(Resource.objects.all())
    for word in query.split():
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(author__icontains=word) | Q(publisher__icontains=word)
        )
    if kind:
        queryset = queryset.filter(kind=kind)
    if theme is not None:
        queryset = queryset.filter(themes=theme)
    if lendable is not None:
        queryset = queryset.filter(is_lendable=lendable)
    if on_loan is not None:
        queryset = queryset.filter(is_on_loan=on_loan)
    return queryset.order_by("title", "pk").distinct()
