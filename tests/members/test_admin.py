"""The staff back office of the members app: pages, filters, actions, audit."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from members.models import (
    CreditNote,
    DuesCampaign,
    Invoice,
    Membership,
    MembershipRequestStatus,
    Payment,
    PaymentMethod,
)
from members.services.billing import invoice_issue, payment_record
from portal.core.models import AuditEntry
from tests.members.factories import (
    CityFactory,
    DepartmentFactory,
    DuesRuleFactory,
    IndividualMembershipFactory,
    MembershipFactory,
    MembershipRequestFactory,
    OrganisationFactory,
    PersonFactory,
)

ACTION = "action"
SELECTED = "_selected_action"


@pytest.fixture
def invoice(staff_user):
    membership = MembershipFactory(amount=Decimal("150.00"))
    return invoice_issue(membership=membership, issued_by=staff_user)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def changelist_pks(response) -> set[int]:
    return {obj.pk for obj in response.context["cl"].result_list}


# Access -----------------------------------------------------------------------------

CHANGELISTS = [
    "members_organisation",
    "members_person",
    "members_duesrule",
    "members_membership",
    "members_membershiprequest",
    "members_invoice",
    "members_creditnote",
    "members_payment",
    "members_duescampaign",
    "core_department",
    "core_epci",
    "core_commune",
    "core_auditentry",
]


def test_the_admin_index_lists_the_members_app(staff_client):
    response = staff_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert reverse("admin:members_invoice_changelist") in response.content.decode()


@pytest.mark.parametrize("name", CHANGELISTS)
def test_changelists_load_for_staff(staff_client, invoice, name):
    response = staff_client.get(reverse(f"admin:{name}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "name", ["members_organisation", "members_person", "members_duesrule", "members_membership"]
)
def test_add_pages_load_for_staff(staff_client, name):
    assert staff_client.get(reverse(f"admin:{name}_add")).status_code == 200


def test_change_pages_load_for_staff(staff_client, invoice, staff_user):
    membership = invoice.membership
    payment = payment_record(
        invoice=invoice,
        amount=Decimal("50.00"),
        method=PaymentMethod.CHEQUE,
        paid_on=timezone.localdate(),
        recorded_by=staff_user,
    )
    PersonFactory(organisation=membership.organisation)
    pages = [
        reverse("admin:members_organisation_change", args=[membership.organisation_id]),
        reverse("admin:members_membership_change", args=[membership.pk]),
        reverse("admin:members_invoice_change", args=[invoice.pk]),
        reverse("admin:members_payment_change", args=[payment.pk]),
        reverse("admin:members_membershiprequest_change", args=[MembershipRequestFactory().pk]),
    ]
    for page in pages:
        assert staff_client.get(page).status_code == 200, page


def test_the_back_office_refuses_a_member(client, member_user):
    client.force_login(member_user)
    for name in ("members_organisation", "members_invoice", "members_membership"):
        response = client.get(reverse(f"admin:{name}_changelist"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    response = client.get(reverse("admin:members_duescampaign_start"))
    assert response.status_code == 302


def test_a_staff_account_outside_the_team_cannot_see_invoices(client, make_user):
    client.force_login(make_user("stagiaire@example.org", staff=True))
    assert client.get(reverse("admin:members_invoice_changelist")).status_code == 403


# Lists and filters --------------------------------------------------------------------


def test_organisation_filters_and_search(staff_client):
    funder = OrganisationFactory(name="Fondation Alpha", is_funder=True)
    city = CityFactory(name="Ville de Sarcelles")
    other_department = OrganisationFactory(
        name="Association Beta", department=DepartmentFactory(code="78", name="Yvelines")
    )
    url = reverse("admin:members_organisation_changelist")
    assert changelist_pks(staff_client.get(url, {"is_funder__exact": "1"})) == {funder.pk}
    assert changelist_pks(staff_client.get(url, {"kind__exact": "commune"})) == {city.pk}
    response = staff_client.get(url, {"department__id__exact": other_department.department_id})
    assert changelist_pks(response) == {other_department.pk}
    assert changelist_pks(staff_client.get(url, {"q": "sarcelles"})) == {city.pk}


def test_person_filters(staff_client):
    at_city = PersonFactory(organisation=CityFactory(), actor_type="elected")
    in_association = PersonFactory(actor_type="association")
    url = reverse("admin:members_person_changelist")
    response = staff_client.get(url, {"organisation__kind__exact": "commune"})
    assert changelist_pks(response) == {at_city.pk}
    response = staff_client.get(url, {"actor_type__exact": "association"})
    assert changelist_pks(response) == {in_association.pk}


def test_membership_status_filter(staff_client, staff_user):
    to_invoice = MembershipFactory()
    invoiced = MembershipFactory()
    invoice_issue(membership=invoiced, issued_by=staff_user)
    partly_paid = MembershipFactory()
    payment_record(
        invoice=invoice_issue(membership=partly_paid, issued_by=staff_user),
        amount=Decimal("10.00"),
        method=PaymentMethod.TRANSFER,
        paid_on=timezone.localdate(),
        recorded_by=staff_user,
    )
    paid = IndividualMembershipFactory()
    payment_record(
        invoice=invoice_issue(membership=paid, issued_by=staff_user),
        amount=paid.amount,
        method=PaymentMethod.CARD,
        paid_on=timezone.localdate(),
        recorded_by=staff_user,
    )
    cancelled = MembershipFactory(cancelled_at=timezone.now())
    url = reverse("admin:members_membership_changelist")
    expected = {
        "to_invoice": to_invoice,
        "invoiced": invoiced,
        "partly_paid": partly_paid,
        "paid": paid,
        "cancelled": cancelled,
    }
    for status, membership in expected.items():
        assert changelist_pks(staff_client.get(url, {"status": status})) == {membership.pk}
    assert len(changelist_pks(staff_client.get(url))) == 5
    assert staff_client.get(url, {"year": timezone.localdate().year}).status_code == 200


def test_invoice_list_shows_balance_and_status(staff_client, invoice, staff_user):
    payment_record(
        invoice=invoice,
        amount=Decimal("100.00"),
        method=PaymentMethod.CHEQUE,
        paid_on=timezone.localdate(),
        recorded_by=staff_user,
    )
    url = reverse("admin:members_invoice_changelist")
    response = staff_client.get(url)
    assert "50,00\xa0€" in response.content.decode()
    assert changelist_pks(staff_client.get(url, {"status": "partly_paid"})) == {invoice.pk}
    assert changelist_pks(staff_client.get(url, {"status": "paid"})) == set()


def test_membership_requests_list_pending_first(staff_client):
    handled = MembershipRequestFactory(status=MembershipRequestStatus.REJECTED)
    pending = MembershipRequestFactory()
    handled_later = MembershipRequestFactory(status=MembershipRequestStatus.ACCEPTED)
    response = staff_client.get(reverse("admin:members_membershiprequest_changelist"))
    assert response.context["cl"].result_list[0].pk == pending.pk
    assert changelist_pks(response) == {handled.pk, pending.pk, handled_later.pk}


# Memberships ------------------------------------------------------------------------


def test_issue_invoices_action_reports_successes_and_errors(staff_client):
    ready = MembershipFactory()
    cancelled = MembershipFactory(cancelled_at=timezone.now())
    response = staff_client.post(
        reverse("admin:members_membership_changelist"),
        {ACTION: "issue_invoices", SELECTED: [ready.pk, cancelled.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert Invoice.objects.filter(membership=ready).count() == 1
    assert not Invoice.objects.filter(membership=cancelled).exists()
    notes = messages_of(response)
    assert any(str(cancelled) in note for note in notes)
    assert any(Invoice.objects.get().number in note for note in notes)
    # A second run issues nothing more.
    staff_client.post(
        reverse("admin:members_membership_changelist"),
        {ACTION: "issue_invoices", SELECTED: [ready.pk]},
    )
    assert Invoice.objects.filter(membership=ready).count() == 1


def test_a_membership_added_in_the_admin_is_priced_and_audited_once(staff_client):
    DuesRuleFactory(year=2026, flat_amount=Decimal("180.00"))
    organisation = OrganisationFactory()
    response = staff_client.post(
        reverse("admin:members_membership_add"),
        {"year": 2026, "organisation": organisation.pk, "category": "", "commitment_number": ""},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    membership = Membership.objects.get(organisation=organisation)
    assert membership.amount == Decimal("180.00")
    assert membership.category == "association"
    assert AuditEntry.objects.for_object(membership).count() == 1


def test_a_membership_without_a_rule_is_refused_on_the_form(staff_client):
    organisation = OrganisationFactory()
    response = staff_client.post(
        reverse("admin:members_membership_add"),
        {"year": 2031, "organisation": organisation.pk},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert not Membership.objects.exists()


def test_a_membership_change_is_audited_and_amounts_stay_read_only(staff_client):
    membership = MembershipFactory()
    url = reverse("admin:members_membership_change", args=[membership.pk])
    form = staff_client.get(url).context["adminform"].form
    assert "amount" not in form.fields and "year" not in form.fields
    response = staff_client.post(
        url, {"commitment_number": "EJ-2026-42", "decision_reference": "", "amount": "1.00"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.commitment_number == "EJ-2026-42"
    assert membership.amount == Decimal("150.00")
    entry = AuditEntry.objects.for_object(membership).get(action="membership.changed")
    assert entry.changes == {"commitment_number": "EJ-2026-42"}
    trail = staff_client.get(url).content.decode()
    assert "Adhésion modifiée" in trail  # the audit trail, in French
    assert "Numéro d&#x27;engagement&nbsp;: EJ-2026-42" in trail
    assert "150,00\u00a0€" in trail  # the dues, read-only, as French writes amounts


# Invoices -------------------------------------------------------------------------


def test_invoices_are_read_only(staff_client, invoice):
    change_url = reverse("admin:members_invoice_change", args=[invoice.pk])
    response = staff_client.get(change_url)
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    assert "Facture émise" in response.content.decode()  # the audit trail
    assert (
        reverse("admin:members_invoice_record_payment", args=[invoice.pk])
        in response.content.decode()
    )
    assert staff_client.post(change_url, {"amount": "1"}).status_code == 403
    delete_url = reverse("admin:members_invoice_delete", args=[invoice.pk])
    assert staff_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert staff_client.get(reverse("admin:members_invoice_add")).status_code == 403


def test_record_payment_action_leads_to_its_page(staff_client, invoice):
    response = staff_client.post(
        reverse("admin:members_invoice_changelist"),
        {ACTION: "record_payment", SELECTED: [invoice.pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:members_invoice_record_payment", args=[invoice.pk]
    )


def test_record_a_partial_payment_then_refuse_an_overpayment(staff_client, invoice):
    url = reverse("admin:members_invoice_record_payment", args=[invoice.pk])
    assert staff_client.get(url).status_code == 200
    today = timezone.localdate().isoformat()
    response = staff_client.post(
        url, {"amount": "100.00", "method": "cheque", "paid_on": today, "reference": "CHQ 1"}
    )
    assert response.status_code == 302
    payment = Payment.objects.get(invoice=invoice)
    assert payment.amount == Decimal("100.00")
    assert AuditEntry.objects.for_object(invoice).filter(action="payment.recorded").count() == 1

    response = staff_client.post(
        url, {"amount": "60.00", "method": "transfer", "paid_on": today, "reference": ""}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["amount"]
    assert invoice.number in errors[0]
    assert "50,00\xa0€" in errors[0]
    assert Payment.objects.filter(invoice=invoice).count() == 1


def test_a_payment_in_the_future_is_a_form_error(staff_client, invoice):
    url = reverse("admin:members_invoice_record_payment", args=[invoice.pk])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = staff_client.post(url, {"amount": "10", "method": "cash", "paid_on": tomorrow})
    assert response.status_code == 200
    assert response.context["form"].errors["paid_on"]
    assert not Payment.objects.exists()


def test_cancel_with_a_credit_note(staff_client, invoice):
    response = staff_client.post(
        reverse("admin:members_invoice_changelist"),
        {ACTION: "cancel_with_credit_note", SELECTED: [invoice.pk]},
    )
    url = reverse("admin:members_invoice_credit_note", args=[invoice.pk])
    assert response["Location"] == url
    response = staff_client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert not CreditNote.objects.exists()
    response = staff_client.post(url, {"reason": "Adhésion saisie en double"})
    assert response.status_code == 302
    credit_note = CreditNote.objects.get(invoice=invoice)
    assert credit_note.amount == invoice.amount
    page = staff_client.get(reverse("admin:members_invoice_change", args=[invoice.pk]))
    assert url not in page.content.decode()  # a cancelled invoice offers no more actions
    assert credit_note.number in page.content.decode()
    assert AuditEntry.objects.for_object(invoice).filter(action="invoice.cancelled").exists()
    # Cancelled twice? A form error, not an exception.
    response = staff_client.post(url, {"reason": "Encore"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert CreditNote.objects.count() == 1


def test_send_a_reminder_now(
    staff_client, invoice, smtp_server, form_mail_tasks_inline, django_capture_on_commit_callbacks
):
    contact = PersonFactory(organisation=invoice.membership.organisation, is_member_contact=True)
    url = reverse("admin:members_invoice_changelist")
    page = staff_client.post(url, {ACTION: "send_reminder_now", SELECTED: [invoice.pk]})
    assert page.status_code == 200  # a confirmation page first: nothing sent yet
    assert contact.email in page.content.decode()
    assert smtp_server.envelopes == []
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, {ACTION: "send_reminder_now", SELECTED: [invoice.pk], "post": "yes"})
    assert len(smtp_server.envelopes) == 1
    recipients = set(smtp_server.envelopes[0].rcpt_tos)
    assert recipients == {invoice.membership.organisation.email, contact.email}
    entry = AuditEntry.objects.for_object(invoice).get(action="invoice.reminder_sent")
    assert entry.changes["manual"] is True


# Membership requests ------------------------------------------------------------------


def test_accept_and_reject_requests(staff_client):
    DuesRuleFactory(year=timezone.localdate().year)
    accepted = MembershipRequestFactory()
    rejected = MembershipRequestFactory()
    url = reverse("admin:members_membershiprequest_changelist")
    staff_client.post(url, {ACTION: "accept_requests", SELECTED: [accepted.pk]})
    staff_client.post(url, {ACTION: "reject_requests", SELECTED: [rejected.pk]})
    accepted.refresh_from_db()
    rejected.refresh_from_db()
    assert accepted.status == MembershipRequestStatus.ACCEPTED
    assert accepted.membership is not None
    assert rejected.status == MembershipRequestStatus.REJECTED
    # Handled requests are left alone.
    response = staff_client.post(
        url, {ACTION: "reject_requests", SELECTED: [accepted.pk]}, follow=True
    )
    accepted.refresh_from_db()
    assert accepted.status == MembershipRequestStatus.ACCEPTED
    assert messages_of(response)


# Dues campaigns ---------------------------------------------------------------------


def test_start_a_campaign_from_the_back_office(staff_client, django_capture_on_commit_callbacks):
    url = reverse("admin:members_duescampaign_start")
    response = staff_client.get(url)
    assert response.status_code == 200
    assert response.context["form"]["year"].value() == timezone.localdate().year + 1
    assert (
        reverse("admin:members_duescampaign_start")
        in staff_client.get(reverse("admin:members_duescampaign_changelist")).content.decode()
    )
    with django_capture_on_commit_callbacks() as callbacks:
        response = staff_client.post(url, {"year": 2031})
    campaign = DuesCampaign.objects.get()
    assert campaign.year == 2031 and campaign.created_by is not None
    assert len(callbacks) == 1
    assert response["Location"] == reverse("admin:members_duescampaign_change", args=[campaign.pk])
    page = staff_client.get(response["Location"]).content.decode()
    assert "js/admin_progress.js" in page
    assert reverse("admin:members_duescampaign_progress", args=[campaign.pk]) in page
    # A second campaign of the same year while the first is under way is refused.
    response = staff_client.post(url, {"year": 2031})
    assert response.status_code == 200
    assert DuesCampaign.objects.count() == 1


def test_campaign_progress_endpoint(staff_client, client, member_user):
    campaign = DuesCampaign.objects.create(
        year=2031, status="running", total=4, processed=1, invoices_issued=1,
        errors=[{"member": "Ville 1", "error": "pas de règle"}],
    )  # fmt: skip
    url = reverse("admin:members_duescampaign_progress", args=[campaign.pk])
    data = staff_client.get(url).json()
    assert data["percent"] == 25
    assert data["processed"] == 1 and data["total"] == 4
    assert data["invoices_issued"] == 1
    assert data["finished"] is False
    assert len(data["errors"]) == 1
    client.force_login(member_user)
    assert client.get(url).status_code == 302
