"""Bulk import of existing publications: a CSV and their PDFs (a ZIP, or the files).

The CSV is UTF-8, separated by semicolons or commas, with the columns titre, type,
date, résumé, thèmes, territoires, auteurs, fichier (and optionally lien); headers
are matched whatever their case and accents. `publications_import_check` reads and
checks everything without writing; `publications_import_run` checks again and then
creates every publication or none. Problems are reported per line, in words.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import DatabaseError, transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from portal.core.models import Department, Theme
from publications.import_files import ImportFiles, file_problem
from publications.models import Publication, PublicationKind, PublicationStatus
from publications.services import publication_save

# Canonical (French) header → attribute; English headers are accepted too.
COLUMNS = {
    "titre": "title", "type": "kind", "date": "published_on", "résumé": "summary",
    "thèmes": "themes", "territoires": "departments", "auteurs": "authors",
    "fichier": "file_name", "lien": "media_url",
}  # fmt: skip
ENGLISH_COLUMNS = {
    "title": "title", "kind": "kind", "summary": "summary", "themes": "themes",
    "territories": "departments", "departements": "departments", "authors": "authors",
    "file": "file_name", "link": "media_url", "media": "media_url",
}  # fmt: skip
REQUIRED = ("title", "kind", "published_on")
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y")
MAX_CSV_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
# Words staff use for the kinds, besides the codes and the labels (French or English).
K = PublicationKind
KIND_WORDS = {
    "recueil": K.EXPERIENCE_COLLECTION, "recueil de fiches experiences": K.EXPERIENCE_COLLECTION,
    "fiche": K.EXPERIENCE_SHEET, "fiche experience": K.EXPERIENCE_SHEET, "actes": K.PROCEEDINGS,
    "synthese": K.SYNTHESIS, "etude": K.STUDY, "dossier": K.DOSSIER,
    "dossier de presse": K.PRESS_KIT, "revue de presse": K.PRESS_KIT, "kit": K.TEACHING_KIT,
    "kit pedagogique": K.TEACHING_KIT, "livret": K.BOOKLET, "podcast": K.PODCAST,
    "replay": K.REPLAY, "webinaire": K.REPLAY, "contribution": K.NETWORK_CONTRIBUTION,
    "publication du reseau": K.NETWORK_CONTRIBUTION,
}  # fmt: skip


def text_key(value: str) -> str:
    """Compare labels by their letters and digits only: « Val-d'Oise » = « val d oise »,
    « Participation des habitant·es » = « participation-des-habitantes »."""
    decomposed = unicodedata.normalize("NFKD", str(value))
    return "".join(c for c in decomposed if c.isalnum()).casefold()


def split_values(cell: str) -> list[str]:
    """« Santé, Jeunesse | 95 » → ["Santé", "Jeunesse", "95"]."""
    for separator in (";", "|", "\n"):
        cell = cell.replace(separator, ",")
    return [value.strip() for value in cell.split(",") if value.strip()]


def kind_find(value: str) -> str | None:
    key = text_key(value)
    if not key:
        return None
    for word, kind in KIND_WORDS.items():
        if key == text_key(word):
            return kind.value
    for kind in PublicationKind:
        labels = {kind.value, str(kind.label)}
        with translation.override("en"):
            labels.add(str(kind.label))
        if key in {text_key(label) for label in labels}:
            return kind.value
    return None


@dataclass
class ImportRow:
    line: int
    title: str = ""
    kind: str = ""
    published_on: date | None = None
    summary: str = ""
    themes: list = field(default_factory=list)
    departments: list = field(default_factory=list)
    authors: str = ""
    file_name: str = ""
    media_url: str = ""
    slug: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return str(PublicationKind(self.kind).label) if self.kind else ""


@dataclass
class ImportReport:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # about the whole file
    created: list[Publication] = field(default_factory=list)

    @property
    def error_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.rows) and not self.error_rows


# Reading -----------------------------------------------------------------------------


def _decode(csv_data: bytes) -> tuple[str | None, str | None]:
    if len(csv_data) > MAX_CSV_BYTES:
        return None, _("The CSV file is larger than 5 MB: split it.")
    try:
        text = csv_data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, _(
            "The CSV file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8” "
            "and send it again."
        )
    if "\x00" in text:
        return None, _("This file is not a CSV text file.")
    return text, None


def _header_map(headers: list[str]) -> tuple[dict[int, str], list[str]]:
    """Column index → attribute, and the problems with the header line."""
    known = {text_key(name): attribute for name, attribute in COLUMNS.items()}
    known.update({text_key(name): attribute for name, attribute in ENGLISH_COLUMNS.items()})
    mapping: dict[int, str] = {}
    unknown: list[str] = []
    for index, header in enumerate(headers):
        label = header.strip()
        if not label:
            continue
        attribute = known.get(text_key(label))
        if attribute is None or attribute in mapping.values():
            unknown.append(label)
        else:
            mapping[index] = attribute
    missing = [
        name
        for name, attribute in COLUMNS.items()
        if attribute in REQUIRED and attribute not in mapping.values()
    ]
    problems = []
    if missing or unknown:
        details = []
        if missing:
            details.append(_("missing: %(columns)s") % {"columns": ", ".join(missing)})
        if unknown:
            details.append(_("unknown or repeated: %(columns)s") % {"columns": ", ".join(unknown)})
        problems.append(
            _("The columns of the CSV file do not match (%(details)s). Expected: %(expected)s.")
            % {"details": "; ".join(details), "expected": ", ".join(COLUMNS)}
        )
    return mapping, problems


def _date_parse(value: str) -> date | None:
    text = value.strip().split(" ")[0].split("T")[0]
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return None


class _Lookups:
    """Themes and départements by every name staff may type."""

    def __init__(self) -> None:
        self.themes: dict[str, Theme] = {}
        for theme in Theme.objects.all():
            for key in (theme.slug, theme.name, slugify(theme.name)):
                self.themes[text_key(key)] = theme
        self.departments: dict[str, Department] = {}
        for department in Department.objects.all():
            for key in (department.code, department.name, str(department)):
                self.departments[text_key(key)] = department

    def department(self, value: str) -> Department | None:
        code = value.strip()
        if code.isdigit() and len(code) == 1:
            code = code.zfill(2)
        return self.departments.get(text_key(code))


def _row_read(cells: dict[str, str], row: ImportRow, lookups: _Lookups, files: ImportFiles):
    row.title = cells.get("title", "").strip()
    if not row.title:
        row.errors.append(_("the title is empty."))
    elif len(row.title) > 250:
        row.errors.append(_("the title is longer than 250 characters."))
    row.slug = slugify(row.title)[:250].strip("-")
    if row.title and not row.slug:
        row.errors.append(_("the title gives no web address: add letters or digits."))
    raw_kind = cells.get("kind", "").strip()
    row.kind = kind_find(raw_kind) or ""
    if not row.kind:
        row.errors.append(_("unknown type “%(value)s”.") % {"value": raw_kind})
    raw_date = cells.get("published_on", "").strip()
    row.published_on = _date_parse(raw_date)
    if row.published_on is None:
        row.errors.append(
            _("the date “%(value)s” is not a date (use DD/MM/YYYY).") % {"value": raw_date}
        )
    row.summary = cells.get("summary", "").strip()
    if len(row.summary) > 1000:
        row.errors.append(_("the summary is longer than 1,000 characters."))
    row.authors = cells.get("authors", "").strip()
    if len(row.authors) > 300:
        row.errors.append(_("the authors are longer than 300 characters."))
    for value in split_values(cells.get("themes", "")):
        theme = lookups.themes.get(text_key(value))
        if theme is None:
            row.errors.append(_("unknown theme “%(value)s”.") % {"value": value})
        elif theme not in row.themes:
            row.themes.append(theme)
    for value in split_values(cells.get("departments", "")):
        department = lookups.department(value)
        if department is None:
            row.errors.append(_("unknown territory “%(value)s”.") % {"value": value})
        elif department not in row.departments:
            row.departments.append(department)
    row.media_url = cells.get("media_url", "").strip()
    if row.media_url:
        try:
            URLValidator(schemes=["http", "https"])(row.media_url)
        except ValidationError:
            row.errors.append(
                _("the link “%(value)s” is not a web address.") % {"value": row.media_url}
            )
    row.file_name = cells.get("file_name", "").strip()
    if row.file_name:
        _data, problem = file_problem(files, row.file_name)
        if problem:
            row.errors.append(problem)


def publications_import_check(*, csv_data: bytes, files: ImportFiles) -> ImportReport:
    """Read and check the CSV and the files it names; write nothing."""
    report = ImportReport()
    text, problem = _decode(csv_data)
    if problem:
        report.errors.append(problem)
        return report
    sample = text.split("\n", 1)[0]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        headers = next(reader, None)
        if not headers:
            report.errors.append(_("The CSV file is empty."))
            return report
        mapping, problems = _header_map(headers)
        if problems:
            report.errors.extend(problems)
            return report
        lookups = _Lookups()
        seen: dict[str, int] = {}
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(report.rows) >= MAX_ROWS:
                report.errors.append(
                    _("The CSV file has more than %(count)d lines.") % {"count": MAX_ROWS}
                )
                return report
            row = ImportRow(line=reader.line_num)
            values = {mapping[i]: cell for i, cell in enumerate(cells) if i in mapping}
            _row_read(values, row, lookups, files)
            if row.slug in seen:
                row.errors.append(_("same title as line %(line)d.") % {"line": seen[row.slug]})
            elif row.slug and Publication.objects.filter(slug=row.slug).exists():
                row.errors.append(
                    _("a publication with the web address “%(slug)s” already exists.")
                    % {"slug": row.slug}
                )
            if row.slug:
                seen.setdefault(row.slug, row.line)
            report.rows.append(row)
    except csv.Error as error:
        report.errors.append(_("The CSV file cannot be read: %(error)s.") % {"error": error})
        return report
    if not report.rows and not report.errors:
        report.errors.append(_("The CSV file has no publication line."))
    return report


def _status_for(row: ImportRow, *, as_draft: bool) -> str:
    if as_draft:
        return PublicationStatus.DRAFT
    if row.published_on > timezone.localdate():
        return PublicationStatus.SCHEDULED
    return PublicationStatus.PUBLISHED


def publications_import_run(
    *, csv_data: bytes, files: ImportFiles, actor, as_draft: bool = False
) -> ImportReport:
    """Check, then create every publication of the file or none (files saved are removed)."""
    report = publications_import_check(csv_data=csv_data, files=files)
    if not report.is_valid:
        return report
    saved_files: list = []
    try:
        with transaction.atomic():
            for row in report.rows:
                report.created.append(_row_create(row, files, actor, as_draft, saved_files))
    except (ValidationError, DatabaseError, OSError) as error:
        for stored in saved_files:
            stored.storage.delete(stored.name)
        report.created = []
        detail = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        report.errors.append(
            _("The import failed and nothing was saved: %(error)s") % {"error": detail}
        )
    return report


def _row_create(row: ImportRow, files: ImportFiles, actor, as_draft: bool, saved: list):
    publication = Publication(
        title=row.title, slug=row.slug, kind=row.kind, summary=row.summary, authors=row.authors,
        published_on=row.published_on, media_url=row.media_url,
        status=_status_for(row, as_draft=as_draft),
    )  # fmt: skip
    if row.file_name:
        data, problem = file_problem(files, row.file_name)
        if problem:
            raise ValidationError(problem)
        name = files.find(row.file_name)[0].name
        publication.file.save(name, ContentFile(data), save=False)
        saved.append(publication.file)
    publication_save(publication=publication, actor=actor)
    publication.themes.set(row.themes)
    publication.departments.set(row.departments)
    return publication
