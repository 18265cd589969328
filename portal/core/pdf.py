"""The project's one WeasyPrint wrapper: a Django template in, the bytes of a PDF out.

Every document is tagged (structure tree, title, language) so screen readers can
read it, as RGAA asks of documents the centre publishes. Invoices for public bodies
are PDF/A-3b instead, the archival format Factur-X embeds its XML in.
"""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

if TYPE_CHECKING:
    from weasyprint import Attachment

    from portal.core.models import SiteSettings

PDF_UA = "pdf/ua-1"  # accessible, tagged: the default for every document
PDF_A3 = "pdf/a-3b"  # archival, may carry attachments: the base of Factur-X invoices
VARIANTS = (PDF_UA, PDF_A3)


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int


def render_pdf_pages(
    template_name: str,
    context: dict,
    *,
    variant: str | None = None,
    attachments: Sequence[Attachment] | None = None,
) -> RenderedPdf:
    """Render `template_name` to PDF in the site's language (French), even from a worker,
    with its number of pages (laid out once: WeasyPrint's document knows its pages).

    The template gives the title (`<title>`) and language (`<html lang>`), which the
    tagged PDF needs. Only `data:` URLs are fetched: documents embed their images, so
    rendering never reads a file or the network that a template did not mean to.
    """
    # Imported here: WeasyPrint is slow to load and only workers and PDF views need it.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    variant = variant or PDF_UA
    if variant not in VARIANTS:
        raise ValueError(f"Unknown PDF variant {variant!r}; use one of {VARIANTS}.")
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(template_name, context)
    options = {"pdf_variant": variant, "pdf_tags": True, "attachments": list(attachments or ())}
    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"}))
    laid_out = document.render(**options)
    return RenderedPdf(content=laid_out.write_pdf(**options), pages=len(laid_out.pages))


def render_pdf(
    template_name: str,
    context: dict,
    *,
    variant: str | None = None,
    attachments: Sequence[Attachment] | None = None,
) -> bytes:
    """The bytes of render_pdf_pages()."""
    return render_pdf_pages(
        template_name, context, variant=variant, attachments=attachments
    ).content


def render_pdf_parts(
    template_name: str, context: dict, *, parts: dict[str, str]
) -> dict[str, bytes]:
    """Several documents laid out at once, written as one tagged PDF each.

    The template renders every part, each starting on a new page with an element whose
    `id` is a key of `parts` (its value is that PDF's title). Laying out once is several
    times faster than once per part (a zip of a hundred attendance certificates); a page
    belongs to the last part whose anchor started on it or before.
    """
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(template_name, context)
    options = {"pdf_variant": PDF_UA, "pdf_tags": True}
    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"}))
    laid_out = document.render(**options)
    pages: dict[str, list] = {}
    current = None
    for page in laid_out.pages:
        current = next((anchor for anchor in parts if anchor in page.anchors), current)
        if current is not None:
            pages.setdefault(current, []).append(page)
    written = {}
    for anchor, title in parts.items():
        part = laid_out.copy(pages.get(anchor, []))
        part.metadata.title = title
        written[anchor] = part.write_pdf(**options)
    return written


LOGO_TYPES = {"image/png", "image/jpeg", "image/svg+xml"}


def logo_data_uri(site: SiteSettings) -> str:
    """The logo inlined, since the PDF renderer fetches nothing but `data:` URLs."""
    mime = mimetypes.guess_type(site.logo.name)[0] if site.logo else None
    if mime not in LOGO_TYPES:
        return ""
    try:
        with site.logo.open("rb") as logo:
            data = logo.read()
    except OSError:
        return ""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
