"""Reads of the unpaid dues calls: which are overdue, how late, and the next reminder.

« Overdue » itself is defined once, in `InvoiceQuerySet.overdue()`; this module says
what the daily reminders (members.services.reminders) will do next for each invoice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from members.models import Invoice, ReminderKind


@dataclass(frozen=True)
class NextReminder:
    days_after_due: int
    on: date  # the day it is due; the daily run sends it on that day or the next run
    due_now: bool  # reached already: the next daily run sends it


def overdue_invoices(*, today: date | None = None) -> QuerySet[Invoice]:
    """Unpaid invoices past their due date, the latest first, with their reminders."""
    return (
        Invoice.objects.overdue(today=today)
        .select_related("membership")
        .prefetch_related("reminders")
        .order_by("due_on", "pk")
    )


def invoice_days_late(invoice: Invoice, *, today: date | None = None) -> int:
    """Days since the due date (0 on the due date itself, negative before it)."""
    return ((today or timezone.localdate()) - invoice.due_on).days


def invoice_next_reminder(
    invoice: Invoice, *, today: date | None = None, delays: list[int] | None = None
) -> NextReminder | None:
    """The step the daily reminders will send next to an unpaid invoice, or None when
    every step is sent; reads `invoice.reminders` (prefetch them for a list).

    The daily run sends the latest step reached unless it was sent, and never an
    earlier one late; a reminder already out today (a staff one) puts it off a day.
    """
    today = today or timezone.localdate()
    delays = sorted(set(settings.DUES_REMINDER_DELAYS if delays is None else delays))
    reminders = list(invoice.reminders.all())
    steps = {r.days_after_due for r in reminders if r.kind == ReminderKind.AUTOMATIC}
    reached = [days for days in delays if invoice.due_on + timedelta(days=days) <= today]
    if reached and reached[-1] not in steps:
        reminded_today = any(r.sent_on == today for r in reminders)
        on = today + timedelta(days=1) if reminded_today else today
        return NextReminder(days_after_due=reached[-1], on=on, due_now=not reminded_today)
    upcoming = [days for days in delays if invoice.due_on + timedelta(days=days) > today]
    if not upcoming:
        return None
    days = upcoming[0]
    return NextReminder(
        days_after_due=days, on=invoice.due_on + timedelta(days=days), due_now=False
    )
