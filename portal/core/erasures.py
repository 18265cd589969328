"""The register of addresses erased at their owner's request, which every import and staff
form consults: an erased person is never brought back behind their back."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from portal.core.models import ErasedAddress

ERASED_REFUSAL = _(
    "This person's data were erased at their request: staff cannot add this address again; "
    "only the person can, through the site's forms."
)
CHUNK = 5000


def email_normalise(email: str | None) -> str:
    """The form an address is compared in: no surrounding spaces, lower case."""
    return (email or "").strip().lower()


def email_fingerprint(email: str) -> str:
    """The SHA-256 of the normalised address: names an erased person without the address."""
    return hashlib.sha256(email_normalise(email).encode()).hexdigest()


def erasure_record(*, email: str) -> None:
    """Remember that this address was erased (called by the erasure, in its transaction)."""
    if email_normalise(email):
        ErasedAddress.objects.get_or_create(email_sha256=email_fingerprint(email))


def erased_emails(emails: Iterable[str | None]) -> set[str]:
    """Those of `emails` (normalised) that were erased; one query per 5,000 addresses."""
    by_fingerprint = {
        email_fingerprint(e): email_normalise(e) for e in emails if email_normalise(e)
    }
    fingerprints = list(by_fingerprint)
    erased: set[str] = set()
    for start in range(0, len(fingerprints), CHUNK):
        found = ErasedAddress.objects.filter(
            email_sha256__in=fingerprints[start : start + CHUNK]
        ).values_list("email_sha256", flat=True)
        erased.update(by_fingerprint[fingerprint] for fingerprint in found)
    return erased


def address_erased(email: str) -> bool:
    return bool(erased_emails([email]))
