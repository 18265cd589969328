"""Factur-X (EN 16931 profile) for the dues calls of public bodies, paid through Chorus Pro.

The CII XML restates the printed invoice for the buyer's accounting software:
seller (the centre, by SIRET), buyer (the payer snapshot on the invoice, with the
Chorus Pro service code and commitment number), one exempt line (the centre is not
subject to VAT) and the bank account. `facturx_embed` attaches it to a PDF/A-3.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from io import BytesIO

import facturx
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from lxml import etree
from pypdf import PdfWriter

from members.models import CreditNote, Invoice
from portal.core.models import SiteSettings

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
EN16931 = "urn:cen.eu:en16931:2017"
TYPE_INVOICE = "380"
TYPE_CREDIT_NOTE = "381"
SCHEME_SIRET = "0009"  # ISO 6523 code of the French SIRET
SEPA_CREDIT_TRANSFER = "58"
CURRENCY = "EUR"
POSTCODE_TOWN = re.compile(r"^(?P<postcode>\d{5})\s+(?P<town>.+)$")


def _el(parent, tag: str, text: str | None = None, **attrib) -> etree._Element:
    prefix, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{NS[prefix]}}}{name}", attrib)
    if text is not None:
        element.text = text
    return element


def _amount(value: Decimal) -> str:
    return f"{Decimal(value):.2f}"


def _date(parent, tag: str, value: date, prefix: str = "udt") -> None:
    _el(_el(parent, tag), f"{prefix}:DateTimeString", value.strftime("%Y%m%d"), format="102")


def _address(parent, text: str) -> None:
    """A free-text French address: street lines, then « 95000 Cergy » on the last line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    match = POSTCODE_TOWN.match(lines[-1]) if lines else None
    if match:
        lines = lines[:-1]
    address = _el(parent, "ram:PostalTradeAddress")
    if match:
        _el(address, "ram:PostcodeCode", match["postcode"])
    for tag, line in zip(("ram:LineOne", "ram:LineTwo"), lines, strict=False):
        _el(address, tag, line)
    if len(lines) > 2:
        _el(address, "ram:LineThree", ", ".join(lines[2:]))
    if match:
        _el(address, "ram:CityName", match["town"])
    _el(address, "ram:CountryID", "FR")


def _party(parent, tag: str, *, name: str, siret: str, address: str, email: str = "") -> None:
    party = _el(parent, tag)
    _el(party, "ram:Name", name)
    if siret:
        legal = _el(party, "ram:SpecifiedLegalOrganization")
        _el(legal, "ram:ID", siret, schemeID=SCHEME_SIRET)
    _address(party, address)
    if email:
        _el(_el(party, "ram:URIUniversalCommunication"), "ram:URIID", email, schemeID="EM")
    if tag == "ram:SellerTradeParty" and siret:
        # BR-E-02: an exempt invoice names a tax identifier of the seller; a body without
        # a VAT number gives its fiscal one, the SIREN (the SIRET's first nine digits).
        tax = _el(party, "ram:SpecifiedTaxRegistration")
        _el(tax, "ram:ID", siret[:9], schemeID="FC")


def _tax(parent, *, basis: Decimal | None = None, exemption_reason: str = "") -> None:
    """VAT category E (exempt), rate 0; with a basis it is the document's VAT breakdown."""
    tax = _el(parent, "ram:ApplicableTradeTax")
    if basis is not None:
        _el(tax, "ram:CalculatedAmount", _amount(Decimal(0)))
    _el(tax, "ram:TypeCode", "VAT")
    if basis is not None:
        _el(tax, "ram:ExemptionReason", exemption_reason)
        _el(tax, "ram:BasisAmount", _amount(basis))
    _el(tax, "ram:CategoryCode", "E")
    _el(tax, "ram:RateApplicablePercent", "0")


def document_xml(document: Invoice | CreditNote) -> bytes:
    """The CII XML of an invoice (380) or of the credit note (381) that cancels one."""
    site = SiteSettings.load()
    is_credit_note = isinstance(document, CreditNote)
    invoice = document.invoice if is_credit_note else document
    membership = invoice.membership
    amount = document.amount
    with translation.override(settings.LANGUAGE_CODE):  # read by French accountants
        line_name = _("Membership dues %(year)s") % {"year": membership.year}
        cancels = _("Cancels invoice %(number)s in full: nothing is to be paid on it.") % {
            "number": invoice.number
        }

    root = etree.Element(f"{{{NS['rsm']}}}CrossIndustryInvoice", nsmap=NS)
    context = _el(root, "rsm:ExchangedDocumentContext")
    _el(_el(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", EN16931)
    header = _el(root, "rsm:ExchangedDocument")
    _el(header, "ram:ID", document.number)
    _el(header, "ram:TypeCode", TYPE_CREDIT_NOTE if is_credit_note else TYPE_INVOICE)
    _date(header, "ram:IssueDateTime", document.issued_on)
    if is_credit_note:
        _el(_el(header, "ram:IncludedNote"), "ram:Content", document.reason)

    transaction = _el(root, "rsm:SupplyChainTradeTransaction")
    line = _el(transaction, "ram:IncludedSupplyChainTradeLineItem")
    _el(_el(line, "ram:AssociatedDocumentLineDocument"), "ram:LineID", "1")
    product = _el(line, "ram:SpecifiedTradeProduct")
    _el(product, "ram:Name", line_name)
    agreement = _el(line, "ram:SpecifiedLineTradeAgreement")
    _el(_el(agreement, "ram:NetPriceProductTradePrice"), "ram:ChargeAmount", _amount(amount))
    delivery = _el(line, "ram:SpecifiedLineTradeDelivery")
    _el(delivery, "ram:BilledQuantity", "1", unitCode="C62")
    line_settlement = _el(line, "ram:SpecifiedLineTradeSettlement")
    _tax(line_settlement)
    summation = _el(line_settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _el(summation, "ram:LineTotalAmount", _amount(amount))

    agreement = _el(transaction, "ram:ApplicableHeaderTradeAgreement")
    if invoice.payer_service_code:
        _el(agreement, "ram:BuyerReference", invoice.payer_service_code)
    _party(
        agreement, "ram:SellerTradeParty",
        name=site.name, siret=site.siret, address=site.address, email=site.email,
    )  # fmt: skip
    _party(
        agreement, "ram:BuyerTradeParty",
        name=invoice.payer_name, siret=invoice.payer_siret, address=invoice.payer_address,
    )  # fmt: skip
    if invoice.commitment_number:
        order = _el(agreement, "ram:BuyerOrderReferencedDocument")
        _el(order, "ram:IssuerAssignedID", invoice.commitment_number)
    _el(transaction, "ram:ApplicableHeaderTradeDelivery")

    settlement = _el(transaction, "ram:ApplicableHeaderTradeSettlement")
    if not is_credit_note:
        _el(settlement, "ram:PaymentReference", invoice.number)
    _el(settlement, "ram:InvoiceCurrencyCode", CURRENCY)
    if site.iban and not is_credit_note:
        means = _el(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        _el(means, "ram:TypeCode", SEPA_CREDIT_TRANSFER)
        account = _el(means, "ram:PayeePartyCreditorFinancialAccount")
        _el(account, "ram:IBANID", site.iban)
        if site.bic:
            institution = _el(means, "ram:PayeeSpecifiedCreditorFinancialInstitution")
            _el(institution, "ram:BICID", site.bic)
    _tax(settlement, basis=amount, exemption_reason=site.vat_mention)
    period = _el(settlement, "ram:BillingSpecifiedPeriod")
    _date(period, "ram:StartDateTime", date(membership.year, 1, 1))
    _date(period, "ram:EndDateTime", date(membership.year, 12, 31))
    terms = _el(settlement, "ram:SpecifiedTradePaymentTerms")
    if is_credit_note:
        _el(terms, "ram:Description", cancels)
    else:
        _date(terms, "ram:DueDateDateTime", invoice.due_on)
    totals = _el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _el(totals, "ram:LineTotalAmount", _amount(amount))
    _el(totals, "ram:TaxBasisTotalAmount", _amount(amount))
    _el(totals, "ram:TaxTotalAmount", _amount(Decimal(0)), currencyID=CURRENCY)
    _el(totals, "ram:GrandTotalAmount", _amount(amount))
    _el(totals, "ram:DuePayableAmount", _amount(amount))
    if is_credit_note:
        preceding = _el(settlement, "ram:InvoiceReferencedDocument")
        _el(preceding, "ram:IssuerAssignedID", invoice.number)
        _date(preceding, "ram:FormattedIssueDateTime", invoice.issued_on, prefix="qdt")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def facturx_embed(pdf: bytes, xml: bytes, *, title: str, author: str) -> bytes:
    """Attach the XML to a PDF/A-3 and declare it in the XMP metadata (Factur-X EN 16931).

    The library checks the XML against the official XSD and refuses an invalid one.
    """
    pdf = facturx.generate_from_binary(
        pdf,
        xml,
        flavor="factur-x",
        level="en16931",
        check_xsd=True,
        pdf_metadata={"title": title, "author": author, "subject": title},
    )
    return _info_as_in_xmp(pdf)


def _info_as_in_xmp(pdf: bytes) -> bytes:
    """PDF/A wants the Info dictionary to agree with the XMP metadata. The library writes
    pdf:Producer "pypdf" and no pdf:Keywords in the XMP, but leaves WeasyPrint's Producer
    and an empty Keywords entry in the Info dictionary: align them."""
    writer = PdfWriter(clone_from=BytesIO(pdf))
    writer.pdf_header = pdf[:8].decode("ascii")  # keep "%PDF-1.7"; pypdf would lower it
    info = {key: value for key, value in writer.metadata.items() if key != "/Keywords"}
    writer.metadata = {**info, "/Producer": "pypdf"}
    output = BytesIO()
    writer.write(output)
    return output.getvalue()
