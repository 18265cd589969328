"""The WeasyPrint wrapper: tagged French PDFs, PDF/A-3 on demand, no file fetched."""

import base64
from io import BytesIO
from xml.etree import ElementTree

import pytest
from django.utils import translation
from PIL import Image
from pypdf import PdfReader

from portal.core.pdf import PDF_A3, render_pdf

PDFAID = "http://www.aiim.org/pdfa/ns/id/"
PDFUAID = "http://www.aiim.org/pdfua/ns/id/"

TEMPLATE = """{% load i18n %}{% get_current_language as LANGUAGE_CODE %}<!DOCTYPE html>
<html lang="{{ LANGUAGE_CODE }}"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><h1>{{ title }}</h1><p>{{ body }}</p>{% if image %}<img src="{{ image }}" alt="">{% endif %}
</body></html>"""


@pytest.fixture
def template(settings, tmp_path):
    """A one-off template directory, so the wrapper is tested apart from any document."""
    (tmp_path / "pdf_test.html").write_text(TEMPLATE, encoding="utf-8")
    engine = {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    settings.TEMPLATES = [engine, *settings.TEMPLATES[1:]]
    return "pdf_test.html"


def xmp(reader: PdfReader, namespace: str, name: str) -> str | None:
    """A property of the XMP metadata, written as an element or as an attribute."""
    stream = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    root = ElementTree.fromstring(stream[stream.index(b"<x:xmpmeta") :].split(b"<?xpacket")[0])
    key = f"{{{namespace}}}{name}"
    for element in root.iter():
        if element.tag == key:
            return element.text
        if key in element.attrib:
            return element.attrib[key]
    return None


def test_a_document_is_a_tagged_french_pdf_with_its_title(template):
    with translation.override("en"):  # as in a worker or an English request: still French
        pdf = render_pdf(template, {"title": "Appel de cotisation", "body": "Cotisation 2026"})

    reader = PdfReader(BytesIO(pdf))
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "fr"
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"]
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"]
    assert reader.metadata.title == "Appel de cotisation"
    assert xmp(reader, PDFUAID, "part") == "1"
    assert "Cotisation 2026" in reader.pages[0].extract_text()


def test_the_pdf_a3_variant_is_archival_and_still_tagged(template):
    pdf = render_pdf(template, {"title": "Facture 2026-0001", "body": "…"}, variant=PDF_A3)

    reader = PdfReader(BytesIO(pdf))
    catalog = reader.trailer["/Root"]
    assert xmp(reader, PDFAID, "part") == "3"
    assert xmp(reader, PDFAID, "conformance") == "B"
    assert catalog["/OutputIntents"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "fr"


def test_an_unknown_variant_is_refused(template):
    with pytest.raises(ValueError, match="pdf/x-4"):
        render_pdf(template, {"title": "x"}, variant="pdf/x-4")


def test_only_inline_images_are_fetched(template, tmp_path):
    png = BytesIO()
    Image.new("RGB", (4, 4), "red").save(png, format="PNG")
    (tmp_path / "logo.png").write_bytes(png.getvalue())
    inline = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()

    def images(url: str) -> int:
        pdf = render_pdf(template, {"title": "Logo", "image": url})
        return len(PdfReader(BytesIO(pdf)).pages[0].images)

    assert images(inline) == 1
    assert images((tmp_path / "logo.png").as_uri()) == 0
