"""Checks of the files staff upload: the PDF of a publication and its cover image.

The type is read from the content, never from the name: a text file renamed
``.pdf`` is refused, and so is a file that starts like a PDF but that pypdf cannot
open. The size limit is ``settings.PUBLICATION_MAX_UPLOAD_MB`` (30 MB when unset).
"""

from __future__ import annotations

import io
import zipfile
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image

PDF_MAGIC = b"%PDF-"
# The PDF standard lets readers accept a header within the first 1,024 bytes.
PDF_HEADER_WINDOW = 1024
DEFAULT_MAX_UPLOAD_MB = 30
DEFAULT_MAX_COVER_MB = 5
COVER_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF"})
COVER_MAX_PIXELS = 40_000_000  # well above any cover, far below a decompression bomb
MAX_ARCHIVE_ENTRIES = 2000


def publication_max_upload_bytes() -> int:
    """The largest PDF accepted, in bytes (``PUBLICATION_MAX_UPLOAD_MB`` megabytes)."""
    megabytes = getattr(settings, "PUBLICATION_MAX_UPLOAD_MB", None) or DEFAULT_MAX_UPLOAD_MB
    return int(float(megabytes) * 1024 * 1024)


def cover_max_upload_bytes() -> int:
    megabytes = getattr(settings, "PUBLICATION_MAX_COVER_MB", None) or DEFAULT_MAX_COVER_MB
    return int(float(megabytes) * 1024 * 1024)


def _file_name(upload) -> str:
    name = str(getattr(upload, "name", "") or "")
    return name.replace("\\", "/").rsplit("/", 1)[-1] or str(_("the file"))


def _file_size(upload) -> int:
    size = getattr(upload, "size", None)
    if size is not None:
        return int(size)
    position = upload.tell()
    upload.seek(0, io.SEEK_END)
    size = upload.tell()
    upload.seek(position)
    return size


def _too_large(name: str, size: int, limit: int) -> ValidationError:
    return ValidationError(
        _(
            "“%(name)s” is too large (%(size)s): the limit is %(limit)s. "
            "Compress the file or split it before uploading it."
        ),
        params={"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
        code="file_too_large",
    )


def _size_check(upload, limit: int, name: str) -> None:
    size = _file_size(upload)
    if size > limit:
        raise _too_large(name, size, limit)


def pdf_size_check(*, name: str, size: int) -> None:
    """Refuse a PDF of `size` bytes above the limit, before reading it."""
    if size > publication_max_upload_bytes():
        raise _too_large(name, size, publication_max_upload_bytes())


def _rewound(upload) -> IO[bytes]:
    upload.seek(0)
    return upload


def validate_pdf(upload) -> None:
    """Refuse a file that is too large, that is not a PDF, or that cannot be read.

    `upload` is any file object (an UploadedFile, a ContentFile, an open file);
    it is left rewound at its start.
    """
    name = _file_name(upload)
    _size_check(upload, publication_max_upload_bytes(), name)
    head = _rewound(upload).read(PDF_HEADER_WINDOW)
    if isinstance(head, str) or PDF_MAGIC not in head:
        _rewound(upload)
        raise ValidationError(
            _(
                "“%(name)s” is not a PDF document, whatever its name says. "
                "Export or save it as PDF, then upload it again."
            ),
            params={"name": name},
            code="not_a_pdf",
        )
    from pypdf import PdfReader  # imported here: the admin loads this module at start-up
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(_rewound(upload), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(
                _("“%(name)s” is protected by a password: upload a copy without protection."),
                params={"name": name},
                code="pdf_encrypted",
            )
        if len(reader.pages) == 0:
            raise PyPdfError("no page")
    except ValidationError:
        raise
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, OSError, RecursionError):
        raise ValidationError(
            _(
                "“%(name)s” looks like a PDF but cannot be opened: it may be damaged. "
                "Export it again as PDF."
            ),
            params={"name": name},
            code="pdf_unreadable",
        ) from None
    finally:
        _rewound(upload)


def validate_cover_image(upload) -> None:
    """Refuse a cover that is too large or that is not a JPEG, PNG, WebP or GIF image."""
    name = _file_name(upload)
    _size_check(upload, cover_max_upload_bytes(), name)
    invalid = ValidationError(
        _("“%(name)s” is not an image in JPEG, PNG, WebP or GIF format."),
        params={"name": name},
        code="not_an_image",
    )
    try:
        with Image.open(_rewound(upload)) as image:
            if image.format not in COVER_FORMATS:
                raise invalid
            if image.width * image.height > COVER_MAX_PIXELS:
                raise ValidationError(
                    _("“%(name)s” has too many pixels: reduce it to a few thousand pixels wide."),
                    params={"name": name},
                    code="image_too_large",
                )
            image.verify()
    except ValidationError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise invalid from None
    finally:
        _rewound(upload)


def archive_entries(bundle: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The files of a ZIP archive of PDFs, without folders and the litter of macOS; an
    archive with too many files is refused (each PDF is checked when it is read)."""
    entries = [
        info
        for info in bundle.infolist()
        if not info.is_dir()
        and not info.filename.startswith("__MACOSX/")
        and not info.filename.rsplit("/", 1)[-1].startswith(".")
    ]
    if len(entries) > MAX_ARCHIVE_ENTRIES:
        raise ValidationError(
            _("The archive holds more than %(count)d files."),
            params={"count": MAX_ARCHIVE_ENTRIES},
            code="archive_too_full",
        )
    return entries


# The first bytes of each kind of audio or video file a publication plays.
MEDIA_SIGNATURES = {
    "mp3": (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"),
    "wav": (b"RIFF",),
    "ogg": (b"OggS",),
    "webm": (b"\x1aE\xdf\xa3",),
    "mp4": (b"ftyp",),  # at offset 4
}
DEFAULT_MAX_MEDIA_MB = 300


def media_max_upload_bytes() -> int:
    """The largest audio or video file accepted (``PUBLICATION_MAX_MEDIA_MB`` megabytes)."""
    megabytes = getattr(settings, "PUBLICATION_MAX_MEDIA_MB", None) or DEFAULT_MAX_MEDIA_MB
    return int(float(megabytes) * 1024 * 1024)


def validate_media(upload) -> None:
    """Refuse an audio or video file that is too large or whose content is of no known
    audio or video kind (MP3, WAV, Ogg, WebM, MP4/M4A), whatever its name says."""
    name = _file_name(upload)
    _size_check(upload, media_max_upload_bytes(), name)
    head = _rewound(upload).read(16)
    _rewound(upload)
    known = isinstance(head, bytes) and (
        head[4:8] in MEDIA_SIGNATURES["mp4"]
        or any(
            head.startswith(signature)
            for kind, signatures in MEDIA_SIGNATURES.items()
            if kind != "mp4"
            for signature in signatures
        )
    )
    if not known:
        raise ValidationError(
            _(
                "“%(name)s” is not an audio or video file the page can play. Upload an "
                "MP3, M4A, OGG, WAV, MP4 or WebM file."
            ),
            params={"name": name},
            code="not_media",
        )
