"""The PDFs sent with a publications import: a ZIP and/or loose files, found by name."""

from __future__ import annotations

import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from publications.validators import pdf_size_check, publication_max_upload_bytes, validate_pdf

MAX_ARCHIVE_ENTRIES = 2000


def file_key(name: str) -> str:
    """A file's name without its folders, whatever its case and Unicode form."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return unicodedata.normalize("NFC", base).casefold()


@dataclass
class ImportFile:
    name: str
    size: int
    reader: Callable[[int], bytes]  # reads at most the given number of bytes


class ImportFiles:
    """The PDFs sent with the CSV, found by name (case, accents and folders ignored)."""

    def __init__(self) -> None:
        self._files: dict[str, list[ImportFile]] = {}

    def add(self, *, name: str, size: int, reader: Callable[[int], bytes]) -> None:
        base = name.replace("\\", "/").rsplit("/", 1)[-1]
        self._files.setdefault(file_key(name), []).append(ImportFile(base, size, reader))

    def add_archive(self, archive: IO[bytes]) -> None:
        try:
            bundle = zipfile.ZipFile(archive)
            entries = [
                info
                for info in bundle.infolist()
                if not info.is_dir()
                and not info.filename.startswith("__MACOSX/")
                and not info.filename.rsplit("/", 1)[-1].startswith(".")
            ]
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
            raise ValidationError(_("The archive is not a readable ZIP file.")) from None
        if len(entries) > MAX_ARCHIVE_ENTRIES:
            raise ValidationError(
                _("The archive holds more than %(count)d files.") % {"count": MAX_ARCHIVE_ENTRIES}
            )
        for info in entries:
            name = unicodedata.normalize("NFC", info.filename)

            def read(limit: int, info=info) -> bytes:
                with bundle.open(info) as member:
                    return member.read(limit)

            self.add(name=name, size=info.file_size, reader=read)

    def add_upload(self, upload) -> None:
        def read(limit: int) -> bytes:
            upload.seek(0)
            data = upload.read(limit)
            upload.seek(0)
            return data

        self.add(name=upload.name, size=upload.size, reader=read)

    def find(self, name: str) -> list[ImportFile]:
        return self._files.get(file_key(name), [])


def file_problem(files: ImportFiles, name: str) -> tuple[bytes | None, str | None]:
    """The bytes of the PDF called `name`, or what is wrong with it."""
    found = files.find(name)
    if not found:
        return None, _("the file “%(name)s” was not sent (neither in the ZIP nor alone).") % {
            "name": name
        }
    if len(found) > 1:
        return None, _("several files sent are called “%(name)s”.") % {"name": name}
    upload = found[0]
    try:
        pdf_size_check(name=upload.name, size=upload.size)
        data = upload.reader(publication_max_upload_bytes() + 1)
        validate_pdf(ContentFile(data, name=upload.name))
    except ValidationError as error:
        return None, " ".join(error.messages)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        return None, _("the file “%(name)s” cannot be read from the archive.") % {"name": name}
    return data, None


def import_files_from(*, archive: IO[bytes] | None, uploads: Iterable) -> ImportFiles:
    """The files sent with the CSV; a broken archive raises ValidationError."""
    files = ImportFiles()
    if archive is not None:
        files.add_archive(archive)
    for upload in uploads:
        files.add_upload(upload)
    return files
