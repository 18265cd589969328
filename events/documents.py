"""The PDFs of attendance certificates (« attestations de présence »), one per person and
action, and the zip of an action's certificates; printed in French whoever asks.

The content comes from events.selectors.certificates; this module only lays it out.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone, translation

from events.selectors.certificates import Certificate
from portal.core.models import SiteSettings
from portal.core.pdf import logo_data_uri, render_pdf, render_pdf_parts

TEMPLATE = "events/certificate.html"
# « 12 rue X\n95000 Cergy » → « Cergy »: the place of issue is the town of the centre.
_TOWN = re.compile(r"^\s*(?:F-)?\d{5}\s+(?P<town>\S.*?)\s*(?:cedex.*)?$", re.IGNORECASE)


def issue_place(address: str) -> str:
    """The town of the centre's postal address (its postcode line), or "" if none."""
    for line in reversed(address.splitlines()):
        match = _TOWN.match(line)
        if match:
            return match["town"]
    return ""


def _context(certificates: list[Certificate], *, issued_on: date | None) -> dict:
    site = SiteSettings.load()
    return {
        "site": site,
        "logo": logo_data_uri(site),
        "place": issue_place(site.address),
        "issued_on": issued_on or timezone.localdate(),
        "certificates": certificates,
        "title": certificates[0].title if len(certificates) == 1 else "",
    }


def render_certificate_pdf(certificate: Certificate, *, issued_on: date | None = None) -> bytes:
    """One person's certificate for one action, as a tagged PDF."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_pdf(TEMPLATE, _context([certificate], issued_on=issued_on))


def certificate_response(certificate: Certificate) -> HttpResponse:
    """The certificate's PDF as a download: for staff and in the member space alike."""
    response = HttpResponse(render_certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate.file_name}"'
    return response


def certificates_zip(
    certificates: Iterable[Certificate], *, issued_on: date | None = None
) -> bytes:
    """A zip of one PDF per certificate, named after the person; laid out in one pass."""
    certificates = list(certificates)
    if not certificates:
        return _zip({})
    with translation.override(settings.LANGUAGE_CODE):
        context = _context(certificates, issued_on=issued_on)
        parts = {_anchor(c): c.title for c in certificates}
        pdfs = render_pdf_parts(TEMPLATE, context, parts=parts)
    files: dict[str, bytes] = {}
    for certificate in certificates:
        name = certificate.file_name
        if name in files:  # two people of the same name
            name = name.removesuffix(".pdf") + f"-{certificate.person_id}.pdf"
        files[name] = pdfs[_anchor(certificate)]
    return _zip(files)


def _anchor(certificate: Certificate) -> str:
    return f"certificate-{certificate.person_id}"  # the id of its <article> in the template


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()
