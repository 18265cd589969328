"""Reads of the privacy app: whom a request is about, and everything held on them.

`subject_export()` gathers every contributor's `subject_data()` (registry order) into one
JSON-ready dict; `export_json()` and `export_pdf()` turn it into the files staff send on
an access request (RGPD art. 15) and members download from their space.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _

from members.models import Person
from portal.core.erasures import email_fingerprint, email_normalise
from portal.core.models import SiteSettings
from portal.core.pdf import render_pdf
from portal.core.subjects import DataSubject
from portal.privacy.models import ErasureRequest
from portal.privacy.registry import contributors

PDF_TEMPLATE = "privacy/export_pdf.html"
# A section whose rows have at most this many columns is a table; longer rows are lists.
TABLE_COLUMNS = 3
DECIMAL = re.compile(r"^-?\d+\.\d+$")  # amounts come as "30.00"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?$"
)


def subject_find(*, email: str) -> DataSubject:
    """The subject with this address, and the directory record that has it (if any)."""
    email = email_normalise(email)
    if not email:
        raise ValueError("An email address is needed to find a data subject.")
    person = Person.objects.alias(email_lower=Lower("email")).filter(email_lower=email).first()
    return DataSubject(email=email, person=person)


def subject_of_person(*, person: Person, user=None) -> DataSubject:
    """A member's own subject: their record, under its address (else their sign-in address)."""
    email = email_normalise(person.email) or email_normalise(getattr(user, "email", ""))
    return DataSubject(email=email, person=person)


def erasure_requests_of(*, subject: DataSubject):
    """The erasure requests about the subject (by record or by address fingerprint)."""
    query = Q(email_sha256=email_fingerprint(subject.email)) if subject.email else Q(pk__in=[])
    if subject.person is not None:
        query |= Q(person=subject.person)
    return ErasureRequest.objects.filter(query).order_by("requested_at", "pk")


def _own_data(subject: DataSubject) -> dict[str, list[dict]]:
    rows = [
        {
            _("Status"): str(request.get_status_display()),
            _("Requested at"): timezone.localtime(request.requested_at).isoformat(),
            _("Confirmed at"): (
                timezone.localtime(request.confirmed_at).isoformat()
                if request.confirmed_at
                else None
            ),
            _("Reason"): request.reason,
        }
        for request in erasure_requests_of(subject=subject)
    ]
    return {_("Erasure requests"): rows} if rows else {}


def subject_export(*, subject: DataSubject) -> dict:
    """Everything the portal holds on the subject, app by app, in the site's language.

    {"generated_at", "email", "sections": [{"app", "app_name", "title", "rows"}]}; empty
    sections are left out.
    """
    with translation.override(settings.LANGUAGE_CODE):
        parts = [
            (c.app_label, c.app_name, c.module.subject_data(subject=subject))
            for c in contributors()
        ]
        privacy_name = str(apps.get_app_config("privacy").verbose_name)
        parts.append(("privacy", privacy_name, _own_data(subject)))
        sections = [
            {"app": label, "app_name": name, "title": str(title), "rows": rows}
            for label, name, data in parts
            for title, rows in data.items()
            if rows
        ]
    return {
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "email": subject.email,
        "sections": sections,
    }


def export_json(*, export: dict) -> bytes:
    return json.dumps(export, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def export_filename(*, extension: str) -> str:
    """No address in the name: files are mailed and stored (the date says which copy)."""
    return f"donnees-personnelles-{timezone.localdate():%Y-%m-%d}.{extension}"


# Readable form (PDF and pages) ----------------------------------------------------------


def _moment(text: str) -> str | None:
    """An ISO date or date-time as French text (« 3 mars 2026 à 14 h 05 »), else None."""
    try:
        if ISO_DATE.match(text):
            return dateformat.format(date.fromisoformat(text), "j F Y")
        if ISO_DATETIME.match(text):
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return dateformat.format(moment, r"j F Y \à G \h i")
    except ValueError:
        return None
    return None


def value_readable(value) -> str:
    """A JSON value as text a person reads: Yes/No, French dates, lists joined, « — »."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, str):
        if DECIMAL.match(value):
            return value.replace(".", ",")
        return _moment(value) or value
    if isinstance(value, list):
        return ", ".join(value_readable(item) for item in value)
    if isinstance(value, dict):
        return " ; ".join(f"{key} : {value_readable(item)}" for key, item in value.items())
    return str(value)


@dataclass
class ReadableSection:
    title: str
    columns: list[str]
    rows: list[list[tuple[str, str]]]  # per row: (column, text)

    @property
    def is_table(self) -> bool:
        return len(self.columns) <= TABLE_COLUMNS


@dataclass
class ReadableApp:
    label: str
    name: str
    sections: list[ReadableSection] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return sum(len(section.rows) for section in self.sections)


def export_readable(*, export: dict) -> list[ReadableApp]:
    """The export grouped by app, every value as French text (call inside French)."""
    grouped: dict[str, ReadableApp] = {}
    for section in export["sections"]:
        app = grouped.setdefault(section["app"], ReadableApp(section["app"], section["app_name"]))
        columns: list[str] = []
        for row in section["rows"]:
            columns += [key for key in row if key not in columns]
        rows = [[(key, value_readable(row.get(key))) for key in columns] for row in section["rows"]]
        app.sections.append(ReadableSection(section["title"], columns, rows))
    return list(grouped.values())


def export_pdf(*, export: dict) -> bytes:
    """A tagged PDF, one part per app, dates in French."""
    with translation.override(settings.LANGUAGE_CODE):
        generated_at = datetime.fromisoformat(export["generated_at"])
        context = {
            "site": SiteSettings.load(),
            "email": export["email"],
            "generated_at": timezone.localtime(generated_at),
            "apps": export_readable(export=export),
        }
        return render_pdf(PDF_TEMPLATE, context)
