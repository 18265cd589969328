"""Dues, gapless numbering under concurrency, credit notes, payments."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from members.models import (
    CreditNote,
    DuesMode,
    DuesRule,
    ImmutableDocumentError,
    Invoice,
    Membership,
    MembershipCategory,
    MembershipStatus,
    PaymentMethod,
)
from members.selectors.memberships import membership_status, memberships_with_amounts
from members.services.billing import credit_note_issue, invoice_issue, payment_record
from members.services.memberships import membership_create
from portal.core.models import AuditEntry
from tests.members.factories import (
    CityFactory,
    CommuneFactory,
    DuesRuleFactory,
    OrganisationFactory,
    PerInhabitantRuleFactory,
    PersonFactory,
)

YEAR = 2026


@pytest.fixture
def city(db):
    PerInhabitantRuleFactory(year=YEAR)
    return CityFactory(commune=CommuneFactory(population=62760))


def test_a_city_of_62760_inhabitants_at_4_cents_owes_2510_40(city):
    membership = membership_create(year=YEAR, organisation=city)
    assert membership.category == MembershipCategory.CITY
    assert membership.amount == Decimal("2510.40")
    assert membership.population_used == 62760
    assert membership.rate_used == Decimal("0.0400")


def test_the_population_is_frozen_on_the_membership(city):
    membership = membership_create(year=YEAR, organisation=city)
    city.commune.population = 70000
    city.commune.save()
    membership.refresh_from_db()
    assert membership.amount == Decimal("2510.40")


@pytest.mark.parametrize(
    ("population", "rate", "expected"),
    [
        (1, "0.0400", "0.04"),
        (12345, "0.0400", "493.80"),
        (12345, "0.0375", "462.94"),  # 462.9375 rounds half up
        (3, "0.0050", "0.02"),  # 0.015 rounds half up, not to even
    ],
)
def test_per_inhabitant_dues_round_half_up_to_the_cent(db, population, rate, expected):
    rule = DuesRule(year=YEAR, category="city", mode=DuesMode.PER_INHABITANT, rate=Decimal(rate))
    assert rule.amount_for(population) == Decimal(expected)


def test_flat_dues_for_an_association_and_an_individual(db):
    DuesRuleFactory(year=YEAR, flat_amount=Decimal("150"))
    DuesRuleFactory(year=YEAR, category=MembershipCategory.INDIVIDUAL, flat_amount=Decimal("20"))
    association = membership_create(year=YEAR, organisation=OrganisationFactory())
    individual = membership_create(year=YEAR, person=PersonFactory(organisation=None))
    assert association.amount == Decimal("150.00")
    assert individual.category == MembershipCategory.INDIVIDUAL
    assert individual.amount == Decimal("20.00")


def test_no_rule_no_population_and_a_second_membership_are_refused(city):
    with pytest.raises(ValidationError, match="Aucun barème"):
        membership_create(year=YEAR + 1, organisation=city)
    city.commune = None
    city.save()
    with pytest.raises(ValidationError):
        membership_create(year=YEAR, organisation=city)
    city.inhabitants = 1000
    city.save()
    membership_create(year=YEAR, organisation=city)
    with pytest.raises(ValidationError):
        membership_create(year=YEAR, organisation=city)
    assert Membership.objects.count() == 1


def test_rule_constraints_refuse_an_incoherent_rule(db):
    with pytest.raises(ValidationError):
        DuesRule(year=YEAR, category="city", mode=DuesMode.PER_INHABITANT).full_clean()
    with pytest.raises(ValidationError):
        DuesRule(year=YEAR, category="city", mode=DuesMode.FLAT, flat_amount=-1).full_clean()


def test_invoice_snapshot_numbering_and_audit(city, staff_user):
    membership = membership_create(year=YEAR, organisation=city, commitment_number="EJ-42")
    invoice = invoice_issue(
        membership=membership, issued_by=staff_user, issued_on=date(YEAR, 1, 15)
    )
    assert invoice.number == f"{YEAR}-0001"
    assert invoice.amount == Decimal("2510.40")
    assert invoice.is_facturx
    assert invoice.payer_siret == city.siret
    assert invoice.payer_service_code == city.chorus_service_code
    assert invoice.commitment_number == "EJ-42"
    assert invoice.due_on == date(YEAR, 2, 14)
    entry = AuditEntry.objects.for_object(invoice).get()
    assert (entry.action, entry.actor) == ("invoice.issued", staff_user)
    with pytest.raises(ValidationError):
        invoice_issue(membership=membership, issued_by=staff_user)


def test_an_issued_invoice_is_immutable(city):
    invoice = invoice_issue(
        membership=membership_create(year=YEAR, organisation=city), issued_by=None
    )
    invoice.amount = Decimal("1.00")
    with pytest.raises(ImmutableDocumentError):
        invoice.save()
    with pytest.raises(ImmutableDocumentError):
        invoice.delete()
    invoice.refresh_from_db()
    assert invoice.amount == Decimal("2510.40")


def test_a_credit_note_cancels_without_deleting_and_allows_a_new_invoice(city, staff_user):
    membership = membership_create(year=YEAR, organisation=city)
    invoice = invoice_issue(membership=membership, issued_by=staff_user)
    with pytest.raises(ValidationError):
        credit_note_issue(invoice=invoice, reason="  ", issued_by=staff_user)
    credit_note = credit_note_issue(
        invoice=invoice, reason="Erreur de population", issued_by=staff_user
    )
    assert credit_note.number == f"AV-{timezone.localdate().year}-0001"
    assert credit_note.amount == invoice.amount
    assert Invoice.objects.filter(pk=invoice.pk).exists()
    assert membership_status(membership) == MembershipStatus.TO_INVOICE
    with pytest.raises(ValidationError):
        credit_note_issue(invoice=invoice, reason="encore", issued_by=staff_user)
    with pytest.raises(ValidationError):
        payment_record(
            invoice=invoice, amount=Decimal("10"), method=PaymentMethod.CHEQUE,
            paid_on=timezone.localdate(), recorded_by=staff_user,
        )  # fmt: skip
    second = invoice_issue(membership=membership, issued_by=staff_user)
    assert second.sequence == invoice.sequence + 1


def test_partial_payments_then_paid_and_overpayment_refused(city, staff_user):
    membership = membership_create(year=YEAR, organisation=city)
    invoice = invoice_issue(membership=membership, issued_by=staff_user)
    today = timezone.localdate()
    first = payment_record(
        invoice=invoice, amount=Decimal("1000"), method=PaymentMethod.MANDAT,
        paid_on=today, reference="Mandat 123", recorded_by=staff_user,
    )  # fmt: skip
    assert first.number == f"R-{today.year}-0001"
    assert membership_status(membership) == MembershipStatus.PARTLY_PAID
    with pytest.raises(ValidationError) as error:
        payment_record(
            invoice=invoice, amount=Decimal("1510.41"), method=PaymentMethod.TRANSFER,
            paid_on=today, recorded_by=staff_user,
        )  # fmt: skip
    assert "1\u202f510,40" in " ".join(error.value.message_dict["amount"])
    payment_record(
        invoice=invoice, amount=Decimal("1510.40"), method=PaymentMethod.TRANSFER,
        paid_on=today, recorded_by=staff_user,
    )  # fmt: skip
    assert membership_status(membership) == MembershipStatus.PAID
    annotated = memberships_with_amounts().get(pk=membership.pk)
    assert (annotated.invoiced_amount, annotated.paid_amount) == (Decimal("2510.40"),) * 2
    with pytest.raises(ValidationError):
        credit_note_issue(invoice=invoice, reason="trop tard", issued_by=staff_user)


@pytest.mark.parametrize(
    ("amount", "paid_on"),
    [(Decimal("0"), None), (Decimal("-5"), None), (Decimal("5"), timedelta(days=3))],
)
def test_bad_payments_are_refused(city, staff_user, amount, paid_on):
    invoice = invoice_issue(
        membership=membership_create(year=YEAR, organisation=city), issued_by=None
    )
    with pytest.raises(ValidationError):
        payment_record(
            invoice=invoice, amount=amount, method=PaymentMethod.CASH,
            paid_on=timezone.localdate() + (paid_on or timedelta()), recorded_by=staff_user,
        )  # fmt: skip
    assert not invoice.payments.exists()


def test_a_cancelled_membership_has_the_cancelled_status(city):
    from members.services.memberships import membership_cancel

    membership = membership_create(year=YEAR, organisation=city)
    membership_cancel(membership=membership, actor=None, reason="Départ")
    assert membership_status(membership) == MembershipStatus.CANCELLED
    with pytest.raises(ValidationError):
        invoice_issue(membership=membership, issued_by=None)


@pytest.mark.django_db(transaction=True)
def test_50_invoices_issued_at_once_get_50_consecutive_numbers():
    """Each thread has its own database connection; the counter row serialises them."""
    DuesRuleFactory(year=YEAR)
    memberships = [
        membership_create(year=YEAR, organisation=OrganisationFactory()) for _ in range(50)
    ]
    barrier = threading.Barrier(50)
    errors = []

    def issue(membership):
        try:
            barrier.wait(timeout=30)
            invoice_issue(membership=membership, issued_by=None, issued_on=date(YEAR, 3, 1))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(m,)) for m in memberships]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    sequences = sorted(Invoice.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, 51))
    assert Invoice.objects.values("number").distinct().count() == 50
    assert not CreditNote.objects.exists()
