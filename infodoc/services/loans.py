"""Loans of the documentary space: lent, returned, and reminded once when overdue.

A reminder is claimed by setting `reminder_sent_at` (only if it is still empty and the
loan still open) in the transaction that records its message; the mail task sends it,
retrying while the server is away (portal.core.mail). A second run, or a concurrent one,
finds the claim and sends nothing.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from infodoc.models import Loan, Resource
from members.models import Person
from portal.core.mail import email_build, mail_queue
from portal.core.models import SiteSettings
from portal.core.services import audit_log


@transaction.atomic
def loan_create(
    *, resource: Resource, person: Person, due_on: date, actor, lent_on: date | None = None
) -> Loan:
    """Lend a resource; refused if it cannot be lent or is already lent."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if not resource.is_lendable:
        raise ValidationError(
            _("« %(title)s » cannot be lent: it is for consultation only.")
            % {"title": resource.title},
            code="not_lendable",
        )
    current = (
        Loan.objects.filter(resource=resource, returned_on__isnull=True)
        .select_related("person")
        .first()
    )
    if current is not None:
        raise ValidationError(
            _("« %(title)s » is already lent to %(person)s until %(due)s.")
            % {
                "title": resource.title,
                "person": current.person,
                "due": date_format(current.due_on, "SHORT_DATE_FORMAT"),
            },
            code="already_lent",
        )
    loan = Loan(
        resource=resource,
        person=person,
        lent_on=lent_on or timezone.localdate(),
        due_on=due_on,
    )
    loan.full_clean()
    loan.save()
    audit_log(
        actor=actor,
        obj=loan,
        action="loan.created",
        changes={"person": person.pk, "due_on": due_on.isoformat()},
    )
    return loan


@transaction.atomic
def loan_return(*, loan: Loan, actor, returned_on: date | None = None) -> Loan:
    """Record the return of a loan; refused if it was already returned."""
    loan = Loan.objects.select_for_update().select_related("resource").get(pk=loan.pk)
    if loan.returned_on is not None:
        raise ValidationError(
            _("« %(title)s » was already returned on %(date)s.")
            % {
                "title": loan.resource.title,
                "date": date_format(loan.returned_on, "SHORT_DATE_FORMAT"),
            },
            code="already_returned",
        )
    returned_on = returned_on or timezone.localdate()
    if returned_on < loan.lent_on:
        raise ValidationError(_("The return date cannot precede the loan date."), code="date")
    loan.returned_on = returned_on
    loan.save(update_fields=["returned_on"])
    audit_log(
        actor=actor,
        obj=loan,
        action="loan.returned",
        changes={"returned_on": returned_on.isoformat()},
    )
    return loan


def overdue_loans(*, today: date | None = None):
    """Open loans past their due date."""
    today = today or timezone.localdate()
    return Loan.objects.filter(returned_on__isnull=True, due_on__lt=today)


def loan_reminder_build(*, loan: Loan):
    site = SiteSettings.load()
    return email_build(
        template="infodoc/emails/loan_reminder",
        context={
            "loan": loan,
            "person": loan.person,
            "resource": loan.resource,
            "lent_on": date_format(loan.lent_on, "DATE_FORMAT"),
            "due_on": date_format(loan.due_on, "DATE_FORMAT"),
        },
        to=[loan.person.email],
        reply_to=[site.email] if site.email else None,
    )


def loan_reminders_send(*, today: date | None = None) -> int:
    """Remind once the borrowers of overdue open loans; returns how many were reminded.

    Each loan is claimed (reminder_sent_at) in the transaction that records its message,
    so a second run reminds nobody twice and the mail task sends each message, retrying
    while the mail server is away (portal.core.mail).
    """
    today = today or timezone.localdate()
    candidates = list(
        overdue_loans(today=today)
        .filter(reminder_sent_at__isnull=True)
        .exclude(person__email="")
        .order_by("due_on", "pk")
        .values_list("pk", flat=True)
    )
    sent = 0
    for loan_id in candidates:
        with transaction.atomic():
            claimed = Loan.objects.filter(
                pk=loan_id, returned_on__isnull=True, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=timezone.now())
            if not claimed:
                continue  # returned meanwhile, or claimed by another run
            loan = Loan.objects.select_related("resource", "person").get(pk=loan_id)
            mail_queue(loan_reminder_build(loan=loan))
            audit_log(actor=None, obj=loan, action="loan.reminded", changes={})
        sent += 1
    return sent
