"""Gapless yearly numbering of issued documents."""

from __future__ import annotations

from django.db import transaction

from members.models import DocumentKind, DocumentSequence

PREFIXES = {
    DocumentKind.INVOICE: "",
    DocumentKind.CREDIT_NOTE: "AV-",
    DocumentKind.RECEIPT: "R-",
}


def sequence_next(*, kind: DocumentKind, year: int) -> tuple[int, str]:
    """Take the next number of `kind` for `year`: (sequence, formatted number).

    Must run inside the transaction that saves the document: the counter row
    stays locked until it commits, so a concurrent issuer waits and numbers
    never repeat; a rollback gives the number back, so none is skipped.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sequence_next() must run inside the issuing transaction.")
    DocumentSequence.objects.bulk_create(
        [DocumentSequence(kind=kind, year=year)], ignore_conflicts=True
    )
    counter = DocumentSequence.objects.select_for_update().get(kind=kind, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number, f"{PREFIXES[kind]}{year}-{counter.last_number:04d}"
