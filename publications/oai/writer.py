"""The XML of OAI-PMH responses, written with the standard library's SAX generator.

Every text and attribute goes through clean_text (no character XML 1.0 forbids)
and the generator escapes markup, so any value is safe to write.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from io import StringIO
from xml.sax.saxutils import XMLGenerator

from django.utils import timezone

from publications.oai import protocol
from publications.oai.protocol import DC_NS, OAI_DC_NS, OAI_DC_SCHEMA, OAI_NS, OAI_SCHEMA, XSI_NS
from publications.oai.records import clean_text


class ResponseWriter:
    """Builds one OAI-PMH response document."""

    def __init__(self) -> None:
        self._stream = StringIO()
        self._xml = XMLGenerator(self._stream, encoding="utf-8", short_empty_elements=True)
        self._xml.startDocument()

    @contextmanager
    def element(self, name: str, attrs: Mapping[str, object] | None = None) -> Iterator[None]:
        clean = {key: clean_text(value) for key, value in (attrs or {}).items()}
        self._xml.startElement(name, clean)
        yield
        self._xml.endElement(name)

    def leaf(self, name: str, text: object = None, attrs: Mapping[str, object] | None = None):
        with self.element(name, attrs):
            if text is not None:
                self._xml.characters(clean_text(text))

    @contextmanager
    def document(self, base_url: str, request_attrs: Mapping[str, str]) -> Iterator[None]:
        """The OAI-PMH root, responseDate and request elements around the content."""
        root = {
            "xmlns": OAI_NS,
            "xmlns:xsi": XSI_NS,
            "xsi:schemaLocation": f"{OAI_NS} {OAI_SCHEMA}",
        }
        with self.element("OAI-PMH", root):
            self.leaf("responseDate", protocol.format_datestamp(timezone.now()))
            self.leaf("request", base_url, request_attrs)
            yield

    def header(self, identifier: str, datestamp: str, set_specs: list[str]) -> None:
        with self.element("header"):
            self.leaf("identifier", identifier)
            self.leaf("datestamp", datestamp)
            for spec in set_specs:
                self.leaf("setSpec", spec)

    def oai_dc(self, elements: list[tuple[str, str]]) -> None:
        attrs = {
            "xmlns:oai_dc": OAI_DC_NS,
            "xmlns:dc": DC_NS,
            "xmlns:xsi": XSI_NS,
            "xsi:schemaLocation": f"{OAI_DC_NS} {OAI_DC_SCHEMA}",
        }
        with self.element("oai_dc:dc", attrs):
            for name, value in elements:
                self.leaf(f"dc:{name}", value)

    def error(self, error: protocol.OAIError) -> None:
        self.leaf("error", str(error.message), {"code": error.code})

    def getvalue(self) -> bytes:
        self._xml.endDocument()
        return self._stream.getvalue().encode("utf-8")
