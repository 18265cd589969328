"""The members app's messages: a request to join (its acknowledgement to the requester,
its notification to the centre) and the dues cycle's messages that carry a dues call.

Every message is recorded in the transaction that causes it and sent after commit by
the one mail task (portal.core.mail). The dues call and its
reminders attach the call's PDF (rendered now if the task that renders it after the
invoice's commit has not run yet), so that the payer can pay from either.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from members.documents import document_attach_pdf, iban_display
from members.models import (
    Invoice,
    MembershipRequest,
    MembershipRequestStatus,
    OrganisationKind,
)
from portal.core.formats import format_euros
from portal.core.mail import email_build, email_send
from portal.core.models import SiteSettings


def _kind_label(membership_request: MembershipRequest) -> str:
    return OrganisationKind(membership_request.kind).label if membership_request.kind else ""


def membership_request_acknowledgement_send(*, request_id: int) -> bool:
    """Tell the requester their request arrived and what comes next; False when the
    request is gone or already handled (nothing to acknowledge any more)."""
    membership_request = MembershipRequest.objects.filter(
        pk=request_id, status=MembershipRequestStatus.PENDING
    ).first()
    if membership_request is None:
        return False
    site = SiteSettings.load()
    email_send(
        template="members/emails/request_acknowledgement",
        context={
            "membership_request": membership_request,
            "kind_label": _kind_label(membership_request),
            "members_url": settings.SITE_URL + reverse("members:public_list"),
        },
        to=[membership_request.email],
        reply_to=[site.email] if site.email else None,
    )
    return True


def membership_request_notification_send(*, request_id: int) -> bool:
    """Tell the centre a request arrived (only when the site's contact email is set)."""
    centre_email = SiteSettings.load().email
    membership_request = MembershipRequest.objects.filter(pk=request_id).first()
    if not centre_email or membership_request is None:
        return False
    try:
        admin_path = reverse("admin:members_membershiprequest_change", args=[request_id])
    except NoReverseMatch:  # the back office does not list requests (yet)
        admin_path = ""
    email_send(
        template="members/emails/request_received",
        subject=_("New membership request: %(name)s") % {"name": str(membership_request)},
        context={
            "membership_request": membership_request,
            "kind_label": _kind_label(membership_request),
            "admin_url": f"{settings.SITE_URL}{admin_path}" if admin_path else "",
        },
        to=[centre_email],
        reply_to=[membership_request.email],
    )
    return True


def invoice_pdf(invoice: Invoice) -> tuple[str, bytes]:
    """The dues call's PDF, as (file name, bytes)."""
    if not invoice.pdf:
        document_attach_pdf(kind="invoice", pk=invoice.pk)
        invoice.refresh_from_db(fields=["pdf"])
    with invoice.pdf.open("rb") as handle:
        return os.path.basename(invoice.pdf.name), handle.read()


def invoice_message(
    *, invoice: Invoice, recipients: list[str], template: str, **context
) -> EmailMultiAlternatives:
    """A message about `invoice` from `template`, its PDF attached."""
    site = SiteSettings.load()
    message = email_build(
        template=template,
        context={
            "invoice": invoice,
            "year": invoice.membership.year,
            "payer": invoice.payer_name,
            "amount": format_euros(invoice.amount),
            "issued_on": date_format(invoice.issued_on, "DATE_FORMAT"),
            "due_on": date_format(invoice.due_on, "DATE_FORMAT"),
            "iban": iban_display(site.iban),
            "bic": site.bic,
            **context,
        },
        to=recipients,
        reply_to=[site.email] if site.email else None,
    )
    message.attach(*invoice_pdf(invoice), "application/pdf")
    return message
