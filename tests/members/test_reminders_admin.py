"""The reminders in the back office: « send a reminder now » after a confirmation, the
overdue list with each invoice's days late and next step, and « En retard » in the
member space."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from members.models import Invoice, PaymentMethod, Reminder, ReminderKind
from members.services.billing import invoice_issue, payment_record
from tests.members.factories import MembershipFactory, OrganisationFactory, PersonFactory

pytestmark = pytest.mark.time_machine("2025-06-10 10:00 +02:00", tick=False)

TODAY = date(2025, 6, 10)


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.DUES_REMINDER_DELAYS = [30, 60]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def tasks_inline(form_mail_tasks_inline):
    """The mail task runs where it is enqueued (after the commit)."""


def issued(staff_user, *, days_late: int, amount: str = "150.00", **membership) -> Invoice:
    """An invoice whose due date was `days_late` days ago (the payment term is 30 days)."""
    return invoice_issue(
        membership=MembershipFactory(amount=Decimal(amount), **membership),
        issued_by=staff_user,
        issued_on=TODAY - timedelta(days=30 + days_late),
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_reminder_is_confirmed_then_sent_once_a_day(
    staff_client, staff_user, smtp_server, tasks_inline, django_capture_on_commit_callbacks
):
    invoice = issued(staff_user, days_late=12)
    url = reverse("admin:members_invoice_reminder", args=[invoice.pk])
    change = reverse("admin:members_invoice_change", args=[invoice.pk])
    assert f'href="{url}"' in staff_client.get(change).content.decode()

    page = staff_client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert f"Envoyer une relance de {invoice.number}" in text
    assert invoice.membership.organisation.email in text
    assert "150,00" in text and ">12<" in text  # balance and days late
    assert 'value="Envoyer la relance"' in text
    assert smtp_server.envelopes == []  # a GET sends nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url)
    assert response["Location"] == change
    assert len(smtp_server.envelopes) == 1
    assert "une relance est en route" in messages_of(response)[0]

    response = staff_client.post(url)  # a second click, later the same day
    assert "a déjà été envoyée" in messages_of(response)[-1]
    assert len(smtp_server.envelopes) == 1

    page = staff_client.get(change).content.decode()
    assert "Relances envoyées" in page
    assert "manuelle, le 10 juin 2025" in page


def test_several_invoices_are_confirmed_together_and_refusals_said(
    staff_client, staff_user, smtp_server, tasks_inline, django_capture_on_commit_callbacks
):
    late = issued(staff_user, days_late=40)
    paid = issued(staff_user, days_late=5)
    payment_record(
        invoice=paid, amount=paid.amount, method=PaymentMethod.TRANSFER, paid_on=TODAY,
        recorded_by=staff_user,
    )  # fmt: skip
    url = reverse("admin:members_invoice_changelist")
    selected = {"action": "send_reminder_now", "_selected_action": [late.pk, paid.pk]}

    page = staff_client.post(url, selected)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Non envoyée : Cette facture est payée." in text
    assert 'value="Envoyer la relance"' in text  # one of the two can go
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, {**selected, "post": "yes"})
    assert response.status_code == 302
    assert len(smtp_server.envelopes) == 1
    assert list(Reminder.objects.values_list("invoice", "kind")) == [(late.pk, ReminderKind.MANUAL)]
    said = messages_of(response)
    assert any(paid.number in m and "payée" in m for m in said)


def test_the_overdue_list_says_how_late_and_the_next_step(
    staff_client, staff_user, django_assert_max_num_queries
):
    first = issued(staff_user, days_late=45)
    Reminder.objects.create(invoice=first, days_after_due=30, sent_on=TODAY - timedelta(days=15))
    second = issued(staff_user, days_late=3)
    partly = issued(staff_user, days_late=31)
    payment_record(
        invoice=partly, amount=Decimal("50.00"), method=PaymentMethod.CHEQUE, paid_on=TODAY,
        recorded_by=staff_user,
    )  # fmt: skip
    not_due = issued(staff_user, days_late=-5)
    url = reverse("admin:members_invoice_changelist") + "?status=overdue"

    response = staff_client.get(url)
    rows = [obj.number for obj in response.context["cl"].result_list]
    assert rows == [first.number, partly.number, second.number]  # the latest first
    assert not_due.number not in rows
    text = response.content.decode()
    assert "<h1>Factures en retard</h1>" in text
    assert "jours de retard" in text.lower()
    assert "45 jours" in text and "3 jours" in text
    assert "+60 jours, le 25 juin 2025" in text  # first: +30 sent, +60 on its day
    assert "+30 jours, au prochain envoi quotidien" in text  # partly paid: reached today
    assert "+30 jours, le 7 juillet 2025" in text  # second
    assert "100,00" in text  # what remains due on the partly paid one

    with django_assert_max_num_queries(20) as few:
        staff_client.get(url)
    for days in (50, 60, 70, 80):
        issued(staff_user, days_late=days)
    with django_assert_max_num_queries(len(few.captured_queries)):
        staff_client.get(url)  # more rows, no more queries


def test_the_invoice_list_links_the_overdue_list_and_the_journal(staff_client):
    text = staff_client.get(reverse("admin:members_invoice_changelist")).content.decode()
    assert "?status=overdue" in text and "Factures en retard" in text
    assert reverse("admin:members_invoice_journal") in text


def test_overdue_invoices_read_en_retard_in_the_member_space(client, member_user, staff_user):
    organisation = OrganisationFactory()
    PersonFactory(
        organisation=organisation, user=member_user, email=member_user.email,
        is_member_contact=True,
    )  # fmt: skip
    late = issued(staff_user, days_late=2, organisation=organisation, year=2024)
    on_time = issued(staff_user, days_late=-10, organisation=organisation, year=2025)
    client.force_login(member_user)

    for name in ("members:space", "members:space_dues"):
        text = client.get(reverse(name)).content.decode()
        late_row = text[text.index(late.number) :].split("</tr>")[0]
        on_time_row = text[text.index(on_time.number) :].split("</tr>")[0]
        assert "En retard" in late_row
        assert "À payer" in on_time_row
