"""The PDFs of the dues cycle: dues calls, Factur-X for public bodies, credit notes, receipts."""

from datetime import date
from decimal import Decimal
from io import BytesIO
from xml.etree import ElementTree

import facturx
import pytest
from django.utils import timezone, translation
from lxml import etree
from pypdf import PdfReader

from members.documents import (
    document_attach_pdf,
    render_credit_note_pdf,
    render_invoice_pdf,
    render_receipt_pdf,
)
from members.models import CreditNote, Invoice, Payment, PaymentMethod
from members.services.billing import credit_note_issue, invoice_issue, payment_record
from members.services.memberships import membership_create
from portal.core.models import SiteSettings
from tests.members.factories import (
    CityFactory,
    DuesRuleFactory,
    OrganisationFactory,
    PerInhabitantRuleFactory,
)

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}
PDFAID = "http://www.aiim.org/pdfa/ns/id/"
LEGAL = "Association loi 1901 déclarée en préfecture du Val-d'Oise"
VAT = "TVA non applicable, art. 293 B du CGI"


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
    site.legal_mentions = LEGAL
    site.vat_mention = VAT
    site.save()
    return site


@pytest.fixture
def association_invoice(site) -> Invoice:
    DuesRuleFactory()  # associations: 150 € flat
    membership = membership_create(year=2026, organisation=OrganisationFactory(), actor=None)
    return invoice_issue(membership=membership, issued_by=None, issued_on=date(2026, 1, 15))


@pytest.fixture
def city_invoice(site) -> Invoice:
    PerInhabitantRuleFactory()  # cities: 0.04 € per inhabitant
    membership = membership_create(
        year=2026, organisation=CityFactory(), commitment_number="EJ-2026-0042", actor=None
    )
    return invoice_issue(membership=membership, issued_by=None, issued_on=date(2026, 1, 15))


def text_of(pdf: bytes) -> str:
    """The text of every page, with French typography's no-break spaces made plain."""
    reader = PdfReader(BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def xmp(pdf: bytes, namespace: str, name: str) -> str | None:
    reader = PdfReader(BytesIO(pdf))
    stream = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    root = ElementTree.fromstring(stream[stream.index(b"<x:xmpmeta") :].split(b"<?xpacket")[0])
    key = f"{{{namespace}}}{name}"
    for element in root.iter():
        if element.tag == key:
            return element.text
        if key in element.attrib:
            return element.attrib[key]
    return None


def facturx_xml(pdf: bytes) -> etree._Element:
    """The embedded Factur-X XML; the library returns it only if it passes the XSD."""
    filename, xml = facturx.get_facturx_xml_from_pdf(pdf, check_xsd=True)
    assert filename == "factur-x.xml"
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    root = etree.fromstring(xml)
    assert facturx.get_level(root) == "en16931"
    return root


def value(root: etree._Element, path: str) -> str:
    (found,) = root.xpath(path, namespaces=NS)
    return found if isinstance(found, str) else found.text


def test_an_association_gets_a_plain_tagged_invoice(association_invoice, site):
    with translation.override("en"):  # a worker or an English request still prints French
        pdf = render_invoice_pdf(association_invoice)

    reader = PdfReader(BytesIO(pdf))
    assert not reader.attachments  # no Factur-X for a private payer
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    assert xmp(pdf, PDFAID, "part") is None
    text = text_of(pdf)
    assert "2026-0001" in text
    assert "15 janvier 2026" in text and "14 février 2026" in text  # issued, due (30 days)
    assert "150,00 €" in text
    assert association_invoice.payer_name in text
    assert LEGAL in text
    assert VAT in text
    assert "73282932000074" in text  # the centre's SIRET
    assert "FR76 3000 6000 0112 3456 7890 189" in text
    assert "AGRIFRPP" in text


def test_a_city_gets_a_factur_x_invoice(city_invoice, site):
    assert city_invoice.is_facturx
    assert city_invoice.amount == Decimal("2510.40")

    pdf = render_invoice_pdf(city_invoice)

    reader = PdfReader(BytesIO(pdf))
    assert xmp(pdf, PDFAID, "part") == "3"
    assert xmp(pdf, PDFAID, "conformance") == "B"
    assert "2026-0001" in reader.metadata.title
    assert reader.metadata.producer == xmp(pdf, "http://ns.adobe.com/pdf/1.3/", "Producer")
    assert "/Keywords" not in reader.metadata  # absent from the XMP, so absent here too
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # still tagged once the XML is in
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    assert xmp(pdf, "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#", "ConformanceLevel") == (
        "EN 16931"
    )
    root = facturx_xml(pdf)
    assert value(root, "//rsm:ExchangedDocument/ram:ID") == "2026-0001"
    assert value(root, "//rsm:ExchangedDocument/ram:TypeCode") == "380"
    assert value(root, "//ram:GrandTotalAmount") == "2510.40"
    assert value(root, "//ram:DuePayableAmount") == "2510.40"
    assert value(root, "//ram:TaxTotalAmount") == "0.00"
    assert value(root, "//ram:InvoiceCurrencyCode") == "EUR"
    buyer = "//ram:BuyerTradeParty"
    assert value(root, f"{buyer}/ram:Name") == city_invoice.payer_name
    assert value(root, f"{buyer}/ram:SpecifiedLegalOrganization/ram:ID") == "21920002900011"
    assert value(root, f"{buyer}/ram:SpecifiedLegalOrganization/ram:ID/@schemeID") == "0009"
    assert value(root, f"{buyer}/ram:PostalTradeAddress/ram:PostcodeCode") == "95000"
    assert value(root, "//ram:BuyerReference") == "SERV-FIN"
    assert value(root, "//ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID") == (
        "EJ-2026-0042"
    )
    seller = "//ram:SellerTradeParty"
    assert value(root, f"{seller}/ram:SpecifiedLegalOrganization/ram:ID") == "73282932000074"
    assert value(root, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
                       "ram:CategoryCode") == "E"  # fmt: skip
    assert value(root, "//ram:ExemptionReason") == VAT
    assert value(root, "//ram:IBANID") == "FR7630006000011234567890189"
    assert value(root, "//ram:DueDateDateTime/*") == city_invoice.due_on.strftime("%Y%m%d")

    text = text_of(pdf)
    assert "2 510,40 €" in text
    assert "62 760" in text and "0,04 €" in text
    assert "21920002900011" in text and "SERV-FIN" in text and "EJ-2026-0042" in text
    assert LEGAL in text and VAT in text


def test_a_credit_note_cancelling_a_factur_x_invoice_is_factur_x(city_invoice):
    credit_note = credit_note_issue(
        invoice=city_invoice, reason="Adhésion résiliée", issued_by=None
    )

    pdf = render_credit_note_pdf(credit_note)

    text = text_of(pdf)
    assert credit_note.number in text and city_invoice.number in text
    assert "Adhésion résiliée" in text and "2 510,40 €" in text
    root = facturx_xml(pdf)
    assert value(root, "//rsm:ExchangedDocument/ram:ID") == credit_note.number
    assert value(root, "//rsm:ExchangedDocument/ram:TypeCode") == "381"
    assert value(root, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID") == "2026-0001"
    assert value(root, "//ram:GrandTotalAmount") == "2510.40"


def test_a_credit_note_for_an_association_is_a_plain_pdf(association_invoice):
    credit_note = credit_note_issue(invoice=association_invoice, reason="Doublon", issued_by=None)

    pdf = render_credit_note_pdf(credit_note)

    assert not PdfReader(BytesIO(pdf)).attachments
    text = text_of(pdf)
    assert credit_note.number in text and "2026-0001" in text and "Doublon" in text


def test_a_receipt_shows_the_payment_and_what_remains(association_invoice):
    today = timezone.localdate()
    first = payment_record(
        invoice=association_invoice, amount=Decimal("100.00"), method=PaymentMethod.CHEQUE,
        paid_on=today, reference="Chèque 123456", recorded_by=None,
    )  # fmt: skip
    second = payment_record(
        invoice=association_invoice, amount=Decimal("50.00"), method=PaymentMethod.TRANSFER,
        paid_on=today, recorded_by=None,
    )  # fmt: skip

    text = text_of(render_receipt_pdf(first))
    assert first.number in text and "2026-0001" in text
    assert association_invoice.payer_name in text
    assert "100,00 €" in text and "Chèque 123456" in text
    assert "50,00 €" in text  # still due after the first payment, even rendered later
    assert "0,00 €" in text_of(render_receipt_pdf(second))


def test_document_attach_pdf_attaches_once(association_invoice, media):
    document_attach_pdf(kind="invoice", pk=association_invoice.pk)

    invoice = Invoice.objects.get(pk=association_invoice.pk)
    assert invoice.pdf.name.endswith("/facture-2026-0001.pdf")
    with invoice.pdf.open("rb") as stored:
        first = stored.read()
    assert first.startswith(b"%PDF")
    files = sorted(media.rglob("*.pdf"))

    document_attach_pdf(kind="invoice", pk=association_invoice.pk)

    again = Invoice.objects.get(pk=association_invoice.pk)
    assert again.pdf.name == invoice.pdf.name
    assert sorted(media.rglob("*.pdf")) == files
    with again.pdf.open("rb") as stored:
        assert stored.read() == first


def test_document_attach_pdf_names_credit_notes_and_receipts(association_invoice):
    payment = payment_record(
        invoice=association_invoice, amount=Decimal("150.00"), method=PaymentMethod.MANDAT,
        paid_on=timezone.localdate(), recorded_by=None,
    )  # fmt: skip
    document_attach_pdf(kind="payment", pk=payment.pk)
    assert Payment.objects.get(pk=payment.pk).pdf.name.endswith(f"/recu-{payment.number}.pdf")

    DuesRuleFactory()
    other = membership_create(year=2026, organisation=OrganisationFactory(), actor=None)
    invoice = invoice_issue(membership=other, issued_by=None)
    credit_note = credit_note_issue(invoice=invoice, reason="Erreur", issued_by=None)
    document_attach_pdf(kind="credit_note", pk=credit_note.pk)
    stored = CreditNote.objects.get(pk=credit_note.pk).pdf.name
    assert stored.endswith(f"/avoir-{credit_note.number}.pdf")
