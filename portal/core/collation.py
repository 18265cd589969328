"""French alphabetical order: « Éducation » between « Économie » and « Emploi », not after Z.

The one way lists and dropdowns are sorted by name. No PostgreSQL collation can be counted
on: the embedded server is built without ICU (no `fr-x-icu`) and the C collation puts
« É » after « Z ». So the database sorts by the name folded by `portal_unaccent()` (the
core app's IMMUTABLE wrapper of the `unaccent` extension) and lowercased, the name itself
breaking ties; `french_key()` is the same order for lists sorted in Python.
"""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.db.models.expressions import OrderBy

from portal.core.text import db_fold, fold


def french_order(field: str, *, descending: bool = False) -> OrderBy:
    """`lower(portal_unaccent(field))`, for `order_by()`, `Meta.ordering` or an admin's ordering."""
    return OrderBy(db_fold(F(field)), descending=descending)


def french_ordered(queryset: QuerySet, *fields: str) -> QuerySet:
    """The queryset sorted the French way by `fields` (default "name"), then by pk."""
    fields = fields or ("name",)
    return queryset.order_by(*(french_order(field) for field in fields), *fields, "pk")


def french_key(text: str) -> tuple[str, str]:
    """Sort key of a string in Python, in the order french_order() gives in the database."""
    return (fold(text), text)
