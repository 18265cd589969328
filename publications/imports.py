"""Spreadsheet imports of the publications (portal.core.sheets): the catalogue's history.

One line per publication: title, type, date, summary, themes, territories (départements),
authors, the PDF and a link. The PDFs come with the spreadsheet, in a ZIP archive or as
files (the job keeps them until it ends); the « File » column names one of them, found
whatever its folder in the archive, its case or its accents, and checked as the
publication form checks an upload (publications.validators).

A publication is the same one when its title (matched loosely) and the year of its date
are: the same file imported twice updates, and the yearly « Recueil des fiches
expériences » of another year is a new publication with its own address. A new
publication dated today or earlier is published, a later one scheduled, or a draft when
staff choose so; an updated one keeps its address and its status, and an empty cell
leaves what it has (a summary, themes or a PDF added in the back office stay).
"""

from __future__ import annotations

import hashlib
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.core.sheets import columns as read
from portal.core.sheets.columns import CellError, Column
from portal.core.sheets.engine import CREATE, UNCHANGED, UPDATE, Importer, Row
from portal.core.sheets.registry import register
from portal.core.text import loose_key
from publications.forms import PublicationImportOptionsForm
from publications.models import MEDIA_KINDS, Publication, PublicationKind, PublicationStatus
from publications.services import publication_save
from publications.validators import (
    archive_entries,
    pdf_size_check,
    publication_max_upload_bytes,
    validate_pdf,
)

# Words staff use for the kinds, besides the codes and the labels (French or English).
K = PublicationKind
KIND_WORDS = {
    "recueil": K.EXPERIENCE_COLLECTION, "recueil de fiches expériences": K.EXPERIENCE_COLLECTION,
    "fiche": K.EXPERIENCE_SHEET, "fiche expérience": K.EXPERIENCE_SHEET, "actes": K.PROCEEDINGS,
    "synthèse": K.SYNTHESIS, "étude": K.STUDY, "dossier": K.DOSSIER,
    "dossier de presse": K.PRESS_KIT, "revue de presse": K.PRESS_KIT, "kit": K.TEACHING_KIT,
    "kit pédagogique": K.TEACHING_KIT, "livret": K.BOOKLET, "podcast": K.PODCAST,
    "replay": K.REPLAY, "webinaire": K.REPLAY, "contribution": K.NETWORK_CONTRIBUTION,
    "publication du réseau": K.NETWORK_CONTRIBUTION,
}  # fmt: skip
KIND = read.Choice(PublicationKind, aliases={word: kind.value for word, kind in KIND_WORDS.items()})
# What an update changes when the cell says something (an empty cell keeps the value).
TEXTS = ("title", "kind", "published_on", "summary", "authors", "media_url")


# « 95, Yvelines | Hauts-de-Seine (92) » → the three départements.
departments = read.several(read.department, gettext_lazy("Unknown départements: %(names)s."))


# The PDFs sent with the spreadsheet -------------------------------------------------------


def file_key(name: str) -> str:
    """A file's name without its folders, whatever its case and Unicode form."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return unicodedata.normalize("NFC", base).casefold()


@dataclass(frozen=True)
class Pdf:
    name: str
    size: int
    read: Callable[[int], bytes]  # at most that many bytes


def _stored_reader(path: str) -> Callable[[int], bytes]:
    def read(limit: int) -> bytes:
        with default_storage.open(path, "rb") as handle:
            return handle.read(limit)

    return read


def _archived_reader(path: str, entry: str) -> Callable[[int], bytes]:
    def read(limit: int) -> bytes:
        with (
            default_storage.open(path, "rb") as handle,
            zipfile.ZipFile(handle) as bundle,
            bundle.open(entry) as member,
        ):
            return member.read(limit)

    return read


class Pdfs:
    """The PDFs kept with the job (options « archive » and « files »), found by name."""

    def __init__(self, options: dict) -> None:
        self._found: dict[str, list[Pdf]] = {}
        archive = options.get("archive")
        if archive:
            try:
                with (
                    default_storage.open(archive["path"], "rb") as handle,
                    zipfile.ZipFile(handle) as bundle,
                ):
                    for info in archive_entries(bundle):
                        name = unicodedata.normalize("NFC", info.filename)
                        reader = _archived_reader(archive["path"], info.filename)
                        self._add(name, info.file_size, reader)
            except (zipfile.BadZipFile, ValidationError, OSError, ValueError):
                pass  # refused by the upload form; gone since: each line says so
        for item in options.get("files") or []:
            self._add(item["name"], item["size"], _stored_reader(item["path"]))

    def _add(self, name: str, size: int, reader: Callable[[int], bytes]) -> None:
        base = name.replace("\\", "/").rsplit("/", 1)[-1]
        self._found.setdefault(file_key(name), []).append(Pdf(base, size, reader))

    def find(self, name: str) -> Pdf:
        """The one PDF sent under `name`, whatever its folder, case or accents."""
        found = self._found.get(file_key(name), [])
        if not found:
            raise CellError(
                _("the file “%(name)s” was not sent (neither in the ZIP nor alone).")
                % {"name": name}
            )
        if len(found) > 1:
            raise CellError(_("several files sent are called “%(name)s”.") % {"name": name})
        return found[0]

    def content(self, name: str) -> bytes:
        """Its bytes, checked as the publication form checks an upload; CellError says
        what is wrong with it."""
        pdf = self.find(name)
        try:
            pdf_size_check(name=pdf.name, size=pdf.size)
            data = pdf.read(publication_max_upload_bytes() + 1)
            validate_pdf(ContentFile(data, name=pdf.name))
        except ValidationError as error:
            raise CellError(" ".join(error.messages)) from None
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
            raise CellError(
                _("the file “%(name)s” cannot be read from the archive.") % {"name": name}
            ) from None
        return data


# The import -------------------------------------------------------------------------------


def _key(title: str, day) -> tuple[str, int]:
    return loose_key(title), day.year


@register
class PublicationImporter(Importer):
    key = "publications.publications"
    title = gettext_lazy("Publications")
    help = gettext_lazy(
        "One line per publication, with its PDF sent beside the spreadsheet in a ZIP archive "
        "or as files. A publication with the same title in the same year is updated, and an "
        "empty cell leaves what it has; another year makes a new publication. New "
        "publications dated today or earlier are published, later ones scheduled, unless "
        "you import them as drafts."
    )
    model = Publication
    order = 75
    options_form = PublicationImportOptionsForm
    columns = (
        Column("title", gettext_lazy("Title"), read.text(250), required=True,
               aliases=("titre", "intitulé", "nom"),
               help=gettext_lazy("With the year of the date, tells the publication apart.")),
        Column("kind", gettext_lazy("Type"), KIND, required=True,
               aliases=("kind", "type de publication", "genre"), allowed=KIND.allowed,
               help=gettext_lazy("Its label, or a word: recueil, fiche, actes, synthèse, "
                                 "étude, kit, livret, podcast, replay, webinaire…")),
        Column("published_on", gettext_lazy("Date"), read.date_value, required=True,
               aliases=("date de publication", "publication date", "publié le", "parution"),
               help=gettext_lazy("dd/mm/yyyy; the year tells apart two editions.")),
        Column("summary", gettext_lazy("Summary"), read.text(1000),
               aliases=("résumé", "description", "présentation"),
               help=gettext_lazy("At most 1,000 characters.")),
        Column("themes", gettext_lazy("Themes"), read.themes,
               aliases=("thèmes", "thématiques", "thème"), allowed=read.themes_allowed,
               help=gettext_lazy("Separated by commas or semicolons.")),
        Column("departments", gettext_lazy("Territories"), departments,
               aliases=("territoires", "départements", "territoire"),
               allowed=read.departments_allowed,
               help=gettext_lazy("Départements, by code or name, separated by commas.")),
        Column("authors", gettext_lazy("Authors"), read.text(300),
               aliases=("auteurs", "auteur", "autrices"),
               help=gettext_lazy("Names separated by semicolons.")),
        Column("file_name", gettext_lazy("File"), read.text(255),
               aliases=("fichier", "pdf", "fichier pdf", "document"),
               help=gettext_lazy("The name of the PDF sent with the spreadsheet "
                                 "(in the ZIP archive or alone).")),
        Column("media_url", gettext_lazy("Link"), read.url,
               aliases=("lien", "url", "média", "lien du média", "media link"),
               help=gettext_lazy("The page of a podcast or a replay.")),
    )  # fmt: skip

    def row_key(self, row: Row):
        return _key(row.values["title"], row.values["published_on"])

    def check(self, rows: list[Row]) -> None:
        self.pdfs = Pdfs(self.options)
        self.new_files: set[int] = set()  # the lines whose PDF replaces the publication's
        known = self._known({row.values["published_on"].year for row in rows})
        for row in rows:
            values = row.values
            row.label = f"{values['title']} ({values['published_on']:%d/%m/%Y})"
            found = known.get(self.row_key(row), [])
            if len(found) > 1:
                row.error(
                    _(
                        "Several publications of %(year)s are titled “%(title)s”: give one "
                        "of them another title in the back office first."
                    )
                    % {"year": values["published_on"].year, "title": values["title"]}
                )
                continue
            publication = found[0] if found else None
            if publication is None and not slugify(values["title"]):
                row.error(_("The title gives no web address: add letters or digits."))
            if values["file_name"]:
                self._file_check(row, publication)
            has_media = values["media_url"] or values["file_name"]
            if publication is not None:
                has_media = has_media or publication.media_url or publication.file
            if values["kind"] in MEDIA_KINDS and not has_media:
                row.error(_("A podcast or a replay needs the link to its media."))
            if row.errors:
                continue
            row.record = publication
            if publication is None:
                row.change = CREATE
            else:
                row.change = UPDATE if self._differs(publication, row) else UNCHANGED

    def _known(self, years: set[int]) -> dict[tuple[str, int], list[Publication]]:
        known: dict[tuple[str, int], list[Publication]] = {}
        publications = Publication.objects.filter(published_on__year__in=years).prefetch_related(
            "themes", "departments"
        )
        for publication in publications:
            known.setdefault(_key(publication.title, publication.published_on), []).append(
                publication
            )
        return known

    def _file_check(self, row: Row, publication: Publication | None) -> None:
        try:
            data = self.pdfs.content(row.values["file_name"])
        except CellError as error:
            row.error(f"« {self.column_label('file_name')} » : {error}")
            return
        if publication is None or not self._same_file(publication, data):
            self.new_files.add(row.line)

    @staticmethod
    def _same_file(publication: Publication, data: bytes) -> bool:
        if not publication.file:
            return False
        try:
            if publication.file.size != len(data):
                return False
            with publication.file.open("rb") as handle:
                return hashlib.sha256(handle.read()).digest() == hashlib.sha256(data).digest()
        except OSError:
            return False

    def _differs(self, publication: Publication, row: Row) -> bool:
        values = row.values
        if row.line in self.new_files:
            return True
        if any(
            values[name] not in (None, "") and getattr(publication, name) != values[name]
            for name in TEXTS
        ):
            return True
        return any(
            values[name] and set(values[name]) != set(getattr(publication, name).all())
            for name in ("themes", "departments")
        )

    def save(self, rows: list[Row]) -> None:
        changed = [row for row in rows if row.change != UNCHANGED]
        taken = set(Publication.objects.values_list("slug", flat=True))
        written: list[str] = []  # files stored, removed if the import fails after all
        try:
            for done, row in enumerate(changed, 1):
                self._row_save(row, taken, written)
                self.progress("saving", done, len(changed))
        except BaseException:
            for name in written:
                default_storage.delete(name)
            raise

    def _status(self, row: Row) -> str:
        if self.options.get("as_draft"):
            return PublicationStatus.DRAFT
        if row.values["published_on"] > timezone.localdate():
            return PublicationStatus.SCHEDULED
        return PublicationStatus.PUBLISHED

    @staticmethod
    def _slug(title: str, year: int, taken: set[str]) -> str:
        """The title's address; the same title in another year gets the year after it."""
        base = slugify(title)[:240].strip("-")
        slug, number = base, 1
        while slug in taken:
            number += 1
            slug = f"{base}-{year}" if number == 2 else f"{base}-{year}-{number - 1}"
        taken.add(slug)
        return slug

    def _row_save(self, row: Row, taken: set[str], written: list[str]) -> None:
        values = row.values
        publication = row.record
        if publication is None:
            publication = Publication(
                slug=self._slug(values["title"], values["published_on"].year, taken),
                status=self._status(row),
            )
        for name in TEXTS:
            if values[name] not in (None, ""):
                setattr(publication, name, values[name])
        if row.line in self.new_files:
            data = self.pdfs.content(values["file_name"])
            name = self.pdfs.find(values["file_name"]).name
            publication.file.save(name, ContentFile(data), save=False)
            written.append(publication.file.name)
        publication_save(publication=publication, actor=self.actor)
        for name in ("themes", "departments"):
            if values[name]:
                getattr(publication, name).set(values[name])
