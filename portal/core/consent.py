"""Recording consents given on the public forms, to be able to show them (RGPD art. 7.1)."""

from __future__ import annotations

import ipaddress

from django import forms
from django.utils import timezone

from portal.core.http import client_ip
from portal.core.models import ConsentPurpose, ConsentRecord


def _ip_or_none(ip: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((ip or "").strip()))
    except ValueError:
        return None


def consent_record(
    *,
    purpose: ConsentPurpose | str,
    email: str,
    person=None,
    wording: str,
    source: str,
    ip: str | None = None,
) -> ConsentRecord:
    """Record that `email` (and `person`, when known) agreed to `wording` just now.

    Call it inside the transaction that stores the data the consent covers.
    """
    record = ConsentRecord(
        purpose=purpose,
        email=email.strip().lower(),
        person=person,
        wording=str(wording),
        source=source[:100],
        given_at=timezone.now(),
        ip=_ip_or_none(ip),
    )
    record.full_clean(exclude=["person"])
    record.save()
    return record


def consent_record_for_form(
    *,
    request,
    form: forms.Form,
    purpose: ConsentPurpose | str,
    email: str,
    person=None,
    field: str = "consent",
) -> ConsentRecord:
    """The consent of a submitted form: its checkbox label as shown, the page's URL name."""
    match = getattr(request, "resolver_match", None)
    return consent_record(
        purpose=purpose,
        email=email,
        person=person,
        wording=str(form.fields[field].label),
        source=match.view_name if match else request.path,
        ip=client_ip(request),
    )


def consent_records_anonymise(*, emails: list[str], purpose: ConsentPurpose | str) -> int:
    """Empty the address and IP of the consents given for `purpose` by these addresses
    (their data is gone: nothing is left for the consent to cover). The rows stay."""
    addresses = [email.strip().lower() for email in emails if email.strip()]
    if not addresses:
        return 0
    return ConsentRecord.objects.filter(email__in=addresses, purpose=purpose).update(
        email="", ip=None
    )
