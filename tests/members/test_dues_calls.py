"""Dues calls sent: each call a campaign issues is mailed once with its PDF, those for
Chorus Pro are listed instead, and their Factur-X files download as one zip."""

import threading
import zipfile
from decimal import Decimal
from io import BytesIO

import facturx
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from members import tasks
from members.models import (
    DuesCampaign,
    DuesCampaignStatus,
    Invoice,
    MembershipCategory,
    OrganisationKind,
)
from members.services.billing import invoice_issue
from members.services.campaigns import dues_campaign_run, dues_campaign_start
from members.services.dues_calls import invoice_call_send
from members.services.memberships import membership_create
from portal.core.models import AuditEntry, OutgoingMail, OutgoingMailStatus, SiteSettings
from portal.core.tasks import mail_deliver_task
from tests.members.factories import (
    CityFactory,
    DuesRuleFactory,
    IndividualMembershipFactory,
    MembershipFactory,
    OrganisationFactory,
    PerInhabitantRuleFactory,
    PersonFactory,
)

PREVIOUS, YEAR = 2029, 2030
pytestmark = pytest.mark.time_machine("2029-12-01 10:00 +01:00", tick=False)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def site(db):
    site = SiteSettings.load()
    site.address = "12 rue de la République\n95000 Cergy"
    site.siret = "73282932000074"
    site.iban = "FR7630006000011234567890189"
    site.bic = "AGRIFRPP"
    site.email = "contact@ressources.example.org"
    site.vat_mention = "TVA non applicable, art. 293 B du CGI"
    site.save()
    return site


@pytest.fixture
def tasks_inline(monkeypatch):
    """The tasks a campaign enqueues run in the test, as a worker would run them."""
    for task in (
        tasks.dues_campaign_run,
        tasks.document_render_pdf,
        tasks.invoice_call_send,
        mail_deliver_task,
    ):
        monkeypatch.setattr(task, "delay", task)


@pytest.fixture
def members(site):
    """Last year's members: two to mail, two public bodies for Chorus Pro."""
    DuesRuleFactory(year=YEAR, category=MembershipCategory.ASSOCIATION, flat_amount=Decimal("160"))
    DuesRuleFactory(year=YEAR, category=MembershipCategory.INDIVIDUAL, flat_amount=Decimal("35"))
    DuesRuleFactory(year=YEAR, category=MembershipCategory.EPCI, flat_amount=Decimal("900"))
    PerInhabitantRuleFactory(year=YEAR, rate=Decimal("0.04"))
    association = OrganisationFactory(name="Association Alpha", email="compta@alpha.example.org")
    contact = PersonFactory(
        organisation=association, email="presidente@alpha.example.org", is_member_contact=True
    )
    PersonFactory(organisation=association, email="benevole@alpha.example.org")  # not a contact
    MembershipFactory(year=PREVIOUS, organisation=association)
    individual = IndividualMembershipFactory(year=PREVIOUS).person
    city = CityFactory(name="Ville de Cergy")
    MembershipFactory(year=PREVIOUS, category=MembershipCategory.CITY, organisation=city)
    epci = OrganisationFactory(
        name="CA de Cergy-Pontoise", kind=OrganisationKind.EPCI, siret="20004950400019"
    )
    MembershipFactory(year=PREVIOUS, category=MembershipCategory.EPCI, organisation=epci)
    return {"association": association, "contact": contact, "individual": individual}


def campaign_run(staff_user, capture) -> DuesCampaign:
    """Start a campaign; it runs once committed, and so do the tasks it enqueues."""
    with capture(execute=True):
        campaign = dues_campaign_start(year=YEAR, started_by=staff_user)
    campaign.refresh_from_db()
    return campaign


def pdf_of(message) -> tuple[str, bytes]:
    (part,) = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    return part.get_filename(), part.get_payload(decode=True)


def test_a_campaign_mails_each_call_with_its_pdf(
    members, staff_user, staff_client, smtp_server, tasks_inline, django_capture_on_commit_callbacks
):
    campaign = campaign_run(staff_user, django_capture_on_commit_callbacks)

    assert campaign.status == DuesCampaignStatus.DONE
    assert campaign.invoices_issued == 4
    by_payer = {i.payer_name: i for i in Invoice.objects.filter(campaign=campaign)}
    association = by_payer["Association Alpha"]
    individual = by_payer[str(members["individual"])]
    messages = {tuple(sorted(envelope.rcpt_tos)): envelope for envelope in smtp_server.envelopes}
    assert set(messages) == {
        ("compta@alpha.example.org", "presidente@alpha.example.org"),
        (members["individual"].email,),
    }  # the two public bodies are not mailed
    for recipients, invoice in (
        (("compta@alpha.example.org", "presidente@alpha.example.org"), association),
        ((members["individual"].email,), individual),
    ):
        message = smtp_server.messages[smtp_server.envelopes.index(messages[recipients])]
        assert message["Subject"] == f"Appel de cotisation 2030 : facture {invoice.number}"
        assert message["Reply-To"] == "contact@ressources.example.org"
        text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
        body = text.get_payload(decode=True).decode()
        assert f"l\u2019appel de cotisation {invoice.number} pour l\u2019adhésion de" in body
        assert "FR76 3000 6000 0112 3456 7890 189" in body
        name, pdf = pdf_of(message)
        assert name == f"facture-{invoice.number}.pdf"
        assert pdf.startswith(b"%PDF")
        invoice.refresh_from_db()
        assert invoice.sent_at is not None
        with invoice.pdf.open("rb") as stored:
            assert stored.read() == pdf  # the very PDF kept on the invoice
    assert AuditEntry.objects.filter(action="invoice.sent").count() == 2

    for payer in ("Ville de Cergy", "CA de Cergy-Pontoise"):
        assert by_payer[payer].is_for_chorus and by_payer[payer].sent_at is None
    page = staff_client.get(reverse("admin:members_duescampaign_change", args=[campaign.pk]))
    chorus = page.content.decode().split('id="chorus-invoices"')[1].split("</table>")[0]
    assert "À déposer sur Chorus Pro" in page.content.decode()
    assert "2 appels de cotisation envoyés par courriel avec leur PDF." in page.content.decode()
    assert by_payer["Ville de Cergy"].number in chorus
    assert by_payer["CA de Cergy-Pontoise"].number in chorus
    assert association.number not in chorus


def test_a_resumed_campaign_mails_the_calls_issued_before_it_stopped(
    members, staff_user, smtp_server, tasks_inline, django_capture_on_commit_callbacks
):
    """Its worker died after issuing a call but before enqueueing its mail."""
    campaign = DuesCampaign.objects.create(
        year=YEAR, created_by=staff_user, status=DuesCampaignStatus.RUNNING, processed=1
    )
    membership = membership_create(year=YEAR, organisation=members["association"])
    issued = invoice_issue(membership=membership, issued_by=staff_user, campaign=campaign)

    with django_capture_on_commit_callbacks(execute=True):
        dues_campaign_run(campaign_id=campaign.pk)

    issued.refresh_from_db()
    assert issued.sent_at is not None
    assert len(smtp_server.envelopes) == 2  # the association's and the individual's


def test_a_retried_mailing_task_sends_nothing_twice(members, staff_user, smtp_server, mail_flush):
    campaign = dues_campaign_run_without_tasks(staff_user)
    invoice = Invoice.objects.filter(campaign=campaign).to_mail().first()

    tasks.invoice_call_send(invoice.pk)
    tasks.invoice_call_send(invoice.pk)  # a retry, or the task delivered twice
    mail_flush()  # the mail task

    assert len(smtp_server.envelopes) == 1
    assert AuditEntry.objects.filter(action="invoice.sent").count() == 1


def test_a_refused_message_is_kept_and_sent_on_retry(members, staff_user, smtp_server, mail_flush):
    campaign = dues_campaign_run_without_tasks(staff_user)
    invoice = Invoice.objects.get(campaign=campaign, membership__person=members["individual"])
    smtp_server.refusals[members["individual"].email] = "451 4.3.0 Try again later"

    assert invoice_call_send(invoice_id=invoice.pk) == [members["individual"].email]
    mail_flush()  # the mail task's first try: a temporary refusal, kept queued
    recorded = OutgoingMail.objects.get()
    assert (recorded.status, recorded.last_error[:3]) == (OutgoingMailStatus.QUEUED, "451")
    invoice.refresh_from_db()
    assert invoice.sent_at is not None  # claimed: a retried task records nothing more
    assert invoice_call_send(invoice_id=invoice.pk) == []

    smtp_server.refusals.clear()
    OutgoingMail.objects.update(available_at=timezone.now())  # the backoff is over
    mail_flush()
    assert len(smtp_server.envelopes) == 1
    [message] = smtp_server.messages
    assert message["Message-ID"] == recorded.message_id
    assert any(part.get_content_type() == "application/pdf" for part in message.walk())


def test_a_call_without_address_or_cancelled_is_not_mailed(
    members, staff_user, smtp_server, mail_flush
):
    members["individual"].email = ""
    members["individual"].save()
    campaign = dues_campaign_run_without_tasks(staff_user)
    invoice = Invoice.objects.get(campaign=campaign, membership__person=members["individual"])

    assert invoice_call_send(invoice_id=invoice.pk) == []
    mail_flush()

    assert not smtp_server.envelopes
    unmailed = Invoice.objects.filter(campaign=campaign, sent_at__isnull=True).to_mail()
    assert invoice in unmailed


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_mail_a_call_once(site, smtp_server, staff_user, mail_flush):
    DuesRuleFactory(year=YEAR, category=MembershipCategory.ASSOCIATION, flat_amount=Decimal("160"))
    MembershipFactory(year=PREVIOUS)
    campaign = DuesCampaign.objects.create(year=YEAR, created_by=staff_user)
    dues_campaign_run(campaign_id=campaign.pk)
    invoice = Invoice.objects.get(campaign=campaign)
    barrier = threading.Barrier(2)
    results: list = []

    def worker():
        try:
            barrier.wait()
            results.append(invoice_call_send(invoice_id=invoice.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert OutgoingMail.objects.count() == 1
    mail_flush()  # the mail task
    assert len(smtp_server.envelopes) == 1
    assert sorted(len(result) for result in results) == [0, 1]


def test_the_chorus_zip_holds_every_factur_x_file(members, staff_user, staff_client):
    campaign = dues_campaign_run_without_tasks(staff_user)  # no PDF rendered yet
    chorus = list(Invoice.objects.filter(campaign=campaign).for_chorus().order_by("sequence"))
    assert len(chorus) == 2
    assert not any(invoice.pdf for invoice in chorus)

    response = staff_client.get(
        reverse("admin:members_duescampaign_chorus_zip", args=[campaign.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f"chorus-pro-2030-{campaign.pk}.zip" in response["Content-Disposition"]
    archive = zipfile.ZipFile(BytesIO(response.content))
    assert sorted(archive.namelist()) == [f"facture-{invoice.number}.pdf" for invoice in chorus]
    for invoice in chorus:
        pdf = archive.read(f"facture-{invoice.number}.pdf")
        assert pdf.startswith(b"%PDF")
        filename, xml = facturx.get_facturx_xml_from_pdf(pdf, check_xsd=True)
        assert filename == "factur-x.xml"
        assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
        root = etree.fromstring(xml)
        assert root.findtext(".//{*}ExchangedDocument/{*}ID") == invoice.number


def test_a_campaign_without_chorus_call_has_no_zip(db, site, staff_user, staff_client):
    DuesRuleFactory(year=YEAR, category=MembershipCategory.ASSOCIATION, flat_amount=Decimal("160"))
    MembershipFactory(year=PREVIOUS)
    campaign = dues_campaign_run_without_tasks(staff_user)

    response = staff_client.get(
        reverse("admin:members_duescampaign_chorus_zip", args=[campaign.pk]), follow=True
    )

    assert "Aucun appel de cotisation de cette campagne n\u2019est à déposer sur Chorus Pro." in (
        response.content.decode()
    )


def dues_campaign_run_without_tasks(staff_user) -> DuesCampaign:
    """Run a campaign; the tasks it enqueues are left in the (unread) test queue."""
    campaign = DuesCampaign.objects.create(year=YEAR, created_by=staff_user)
    dues_campaign_run(campaign_id=campaign.pk)
    return campaign
