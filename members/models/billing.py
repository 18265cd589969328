"""Dues calls (invoices), credit notes, payments and receipts, numbered without gaps."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from members.models.memberships import Membership


class DocumentKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")
    RECEIPT = "receipt", _("Receipt")


class DocumentSequence(models.Model):
    """The last number given to a kind of document in a year.

    Locked (SELECT … FOR UPDATE) by the transaction that issues the next document,
    so numbers are consecutive with no gap and no duplicate under concurrency.
    """

    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="members_sequence_kind_year")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last_number}"


class ImmutableDocumentError(Exception):
    """An issued document cannot be edited or deleted; cancel an invoice by a credit note."""

    def __init__(self, document):
        super().__init__(f"{document} is issued: it cannot be changed or deleted.")


class IssuedDocument(models.Model):
    """Fields shared by numbered documents; once issued they are never edited."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    issued_on = models.DateField(_("issued on"))
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("issued by"),
    )  # fmt: skip
    amount = models.DecimalField(_("amount (€)"), max_digits=10, decimal_places=2)
    pdf = models.FileField(_("PDF"), upload_to="documents/%Y/", blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs) -> None:
        """Issued once; afterwards only the rendered PDF may be attached."""
        if self.pk is not None and set(kwargs.get("update_fields") or ()) != {"pdf"}:
            raise ImmutableDocumentError(self)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableDocumentError(self)


# Deposited on Chorus Pro rather than mailed: see Invoice.is_for_chorus.
FOR_CHORUS = Q(is_facturx=True) & (~Q(payer_siret="") | ~Q(payer_service_code=""))


class InvoiceQuerySet(models.QuerySet):
    def for_chorus(self) -> InvoiceQuerySet:
        return self.filter(FOR_CHORUS)

    def to_mail(self) -> InvoiceQuerySet:
        return self.exclude(FOR_CHORUS)

    def with_balance(self, *, today: date | None = None) -> InvoiceQuerySet:
        """Annotated with `paid_total`, `is_cancelled`, `balance_due` and `is_overdue`."""
        money = models.DecimalField(max_digits=12, decimal_places=2)
        zero = models.Value(Decimal("0.00"), output_field=money)
        paid = (
            Payment.objects.filter(invoice=models.OuterRef("pk"))
            .values("invoice")
            .annotate(total=models.Sum("amount"))
            .values("total")
        )
        return self.annotate(
            paid_total=Coalesce(models.Subquery(paid, output_field=money), zero),
            is_cancelled=models.Exists(CreditNote.objects.filter(invoice=models.OuterRef("pk"))),
        ).annotate(
            balance_due=models.Case(
                models.When(is_cancelled=True, then=zero),
                default=models.F("amount") - models.F("paid_total"),
                output_field=money,
            ),
            is_overdue=models.Case(
                models.When(overdue_condition(today), then=models.Value(True)),
                default=models.Value(False),
                output_field=models.BooleanField(),
            ),
        )

    def unpaid(self) -> InvoiceQuerySet:
        """Not cancelled, and less received than invoiced."""
        return self.with_balance().filter(is_cancelled=False, paid_total__lt=models.F("amount"))

    def overdue(self, *, today: date | None = None) -> InvoiceQuerySet:
        """Unpaid after the due date (« En retard »): the back office, the reminders and
        the member space all read it here."""
        return self.with_balance(today=today).filter(is_overdue=True)


def overdue_condition(today: date | None = None) -> Q:
    """On rows annotated by with_balance(): something is due and the due date has passed
    (the due date is the last day to pay)."""
    today = today or timezone.localdate()
    return Q(is_cancelled=False, paid_total__lt=models.F("amount"), due_on__lt=today)


class Invoice(IssuedDocument):
    """An « appel de cotisation » for one membership, with a snapshot of the payer."""

    membership = models.ForeignKey(
        Membership, models.PROTECT, related_name="invoices", verbose_name=_("membership")
    )
    campaign = models.ForeignKey(
        "members.DuesCampaign", models.PROTECT, null=True, blank=True, related_name="invoices",
        verbose_name=_("dues campaign"),
    )  # fmt: skip
    # Set when the dues call is claimed for mailing (members.services.dues_calls), so
    # that a retried task never mails it twice; set with a queryset update, not save().
    sent_at = models.DateTimeField(_("dues call mailed"), null=True, blank=True)
    due_on = models.DateField(_("due on"))
    payer_name = models.CharField(_("payer"), max_length=200)
    payer_address = models.TextField(_("payer address"), blank=True)
    payer_siret = models.CharField(_("payer SIRET"), max_length=14, blank=True)
    payer_service_code = models.CharField(_("Chorus Pro service code"), max_length=100, blank=True)
    commitment_number = models.CharField(_("commitment number"), max_length=50, blank=True)
    is_facturx = models.BooleanField(_("Factur-X"), default=False)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-sequence"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="members_invoice_seq"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="members_invoice_amount"),
        ]
        indexes = [models.Index(fields=["membership", "year"])]

    @property
    def is_for_chorus(self) -> bool:
        """A public body's Factur-X invoice that Chorus Pro can route: by the payer's SIRET
        (how Chorus identifies a recipient) or the service code it asked us to use. Staff
        deposit such a call on Chorus Pro, so it is not mailed as well."""
        return self.is_facturx and bool(self.payer_siret or self.payer_service_code)


class CreditNote(IssuedDocument):
    """An « avoir »: cancels an invoice in full without deleting it."""

    invoice = models.OneToOneField(
        Invoice, models.PROTECT, related_name="credit_note", verbose_name=_("invoice")
    )
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        ordering = ["-year", "-sequence"]
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="members_creditnote_seq")
        ]


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("Bank transfer")
    CHEQUE = "cheque", _("Cheque")
    MANDAT = "mandat", _("Mandat administratif")
    CARD = "card", _("Card")
    CASH = "cash", _("Cash")


class Payment(IssuedDocument):
    """A payment received against an invoice; its number is the receipt's."""

    invoice = models.ForeignKey(
        Invoice, models.PROTECT, related_name="payments", verbose_name=_("invoice")
    )
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)

    class Meta:
        ordering = ["-paid_on", "-sequence"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="members_payment_seq"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="members_payment_amount"),
        ]


class ReminderKind(models.TextChoices):
    AUTOMATIC = "automatic", _("automatic")
    MANUAL = "manual", _("manual")


class Reminder(models.Model):
    """One reminder of an unpaid invoice: an automatic step (each at most once), or one
    sent by staff; never two on the same day, whatever their kind, so a double click or
    a staff reminder on the day of a step sends a single message."""

    invoice = models.ForeignKey(
        Invoice, models.CASCADE, related_name="reminders", verbose_name=_("invoice")
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=ReminderKind.choices, default=ReminderKind.AUTOMATIC
    )
    days_after_due = models.PositiveSmallIntegerField(
        _("days after the due date"), null=True, blank=True
    )
    # The day the reminder is claimed for: its row is inserted before the message goes.
    sent_on = models.DateField(_("day"), default=timezone.localdate)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("sent by"),
    )  # fmt: skip
    recipients = models.JSONField(_("recipients"), default=list, blank=True)

    class Meta:
        ordering = ["invoice", "sent_on"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "days_after_due"], name="members_reminder_once_per_step"
            ),
            models.UniqueConstraint(
                fields=["invoice", "sent_on"], name="members_reminder_once_a_day"
            ),
            models.CheckConstraint(
                condition=Q(kind=ReminderKind.AUTOMATIC, days_after_due__isnull=False)
                | Q(kind=ReminderKind.MANUAL, days_after_due__isnull=True),
                name="members_reminder_step_if_automatic",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == ReminderKind.MANUAL:
            return f"{self.invoice} {date_format(self.sent_on)}"
        return f"{self.invoice} +{self.days_after_due}"


class DuesCampaignStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class DuesCampaign(models.Model):
    """A run of « issue next year's dues calls », with its progress."""

    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=10, choices=DuesCampaignStatus.choices,
        default=DuesCampaignStatus.QUEUED,
    )  # fmt: skip
    total = models.PositiveIntegerField(_("members"), default=0)
    processed = models.PositiveIntegerField(_("processed"), default=0)
    invoices_issued = models.PositiveIntegerField(_("invoices issued"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("started by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("dues campaign")
        verbose_name_plural = _("dues campaigns")

    def __str__(self) -> str:
        return f"{self.year} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status == DuesCampaignStatus.DONE else 0
        return round(100 * self.processed / self.total)
