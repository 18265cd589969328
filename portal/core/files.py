"""Uploaded files: public images under /media/, every other file behind one checked view.

Invoices, credit notes, receipts, publication PDFs, info-doc attachments, annual reports
and imported spreadsheets are private. The default storage gives them the URL of
`core:private_file` (portal.core.views.files), so every link Django builds from a
FileField — the admin's file widgets and read-only fields included — reaches the view
that checks who asks; only the public images keep their /media/ URL.

The view finds the file through the record that holds it (never a path taken from the
URL), lets in staff and directors who may view that record in the back office, and
anyone an app allows for its own records (a member their own invoices: see
`file_reader_register`). With MEDIA_ACCEL_REDIRECT_PREFIX set, the proxy sends the file.

A public image held by a record (a publication's cover) follows that record: an app names,
with `public_image_register`, the records holding a public folder and which of them are
public; the other records' images reach only those who may read the record's files.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import cache
from pathlib import PurePosixPath
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import models
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header

from portal.core.roles import is_director, is_staff

logger = logging.getLogger(__name__)

# Folders whose files are served to anyone at MEDIA_URL (portal/urls.py): images of public
# pages. Each is served as its own root, so no name climbs out of it.
PUBLIC_MEDIA_FOLDERS = ("publications/covers", "publications/thumbnails", "site")
PUBLIC_MEDIA_PREFIXES = tuple(f"{folder}/" for folder in PUBLIC_MEDIA_FOLDERS)
# The longest file or folder name the file systems take (NAME_MAX, in bytes).
NAME_PART_MAX = 255
# Opened in the browser's viewer; anything else is downloaded (no upload runs as a page).
INLINE_TYPES = frozenset({"application/pdf"})

# model label ("members.invoice") → rules(user=, record=) -> bool, beside the staff rule.
_READERS: dict[str, list[Callable[..., bool]]] = {}


@dataclass(frozen=True)
class HeldImages:
    """The images of a public folder that `model`'s records hold in `field`, public while
    the record is among `public()`."""

    model: type[models.Model]
    field: str
    public: Callable[[], QuerySet]


# public folder → the records holding its images; a folder no app names is public (the logo).
_HELD_IMAGES: dict[str, HeldImages] = {}


class ImageAudience(Enum):
    ANYONE = "anyone"
    THIS_USER = "this user"  # served with no-store: no cache keeps it for someone else
    NOBODY = "nobody"


def media_is_public(name: str) -> bool:
    return name.startswith(PUBLIC_MEDIA_PREFIXES)


class MediaStorage(FileSystemStorage):
    """The file system storage of MEDIA_ROOT whose private files link to the checked view."""

    def url(self, name: str | None) -> str:
        if name and not media_is_public(name):
            return reverse("core:private_file", kwargs={"name": name})
        return super().url(name)


def file_reader_register(model: type[models.Model], rule: Callable[..., bool]) -> None:
    """Let `rule(user=, record=)` open the files of `model`'s records besides the staff;
    an app calls it from its AppConfig.ready() for the records its users own."""
    _READERS.setdefault(model._meta.label_lower, []).append(rule)


def public_image_register(
    model: type[models.Model], *, field: str, public: Callable[[], QuerySet]
) -> None:
    """Serve the images of `model`'s `field` (a folder of PUBLIC_MEDIA_FOLDERS) to anyone
    while their record is among `public()`, otherwise to those who may read the record's
    files (file_readable); an app calls it from its AppConfig.ready()."""
    upload_to = model._meta.get_field(field).upload_to
    folder = upload_to.strip("/") if isinstance(upload_to, str) else None
    if folder not in PUBLIC_MEDIA_FOLDERS:
        raise ValueError(f"{model._meta.label}.{field} is not stored in a public media folder.")
    _HELD_IMAGES[folder] = HeldImages(model, field, public)


def public_image_audience(*, folder: str, name: str, user) -> ImageAudience:
    """Who may see the public folder's image `name`: in one query on the field's index,
    the records holding it and whether one of them is public."""
    held = _HELD_IMAGES.get(folder)
    if held is None:
        return ImageAudience.ANYONE
    records = list(
        held.model._default_manager.filter(**{held.field: f"{folder}/{name}"})
        .annotate(is_public=Exists(held.public().filter(pk=OuterRef("pk"))))
        .only("pk")
        .order_by()
    )
    if any(record.is_public for record in records):
        return ImageAudience.ANYONE
    if any(file_readable(user=user, record=record) for record in records):
        return ImageAudience.THIS_USER
    return ImageAudience.NOBODY


def name_is_safe(name: str) -> bool:
    """A relative name inside the media root: no absolute path, no « .. », no backslash,
    no part longer than a file system takes (the system would refuse it with an error)."""
    path = PurePosixPath(name)
    return bool(
        name
        and "\\" not in name
        and "\x00" not in name
        and not path.is_absolute()
        and ".." not in path.parts
        and str(path) == name
        and all(len(part.encode()) <= NAME_PART_MAX for part in path.parts)
    )


@cache
def _private_fields() -> tuple[tuple[type[models.Model], str], ...]:
    """Each (model, field name) whose files the default storage keeps."""
    return tuple(
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField) and field.storage is default_storage
    )


def file_records(*, name: str) -> list[tuple[models.Model, FieldFile]]:
    """The records holding the stored file `name`, with their file (usually one record)."""
    if not name_is_safe(name) or media_is_public(name):
        return []
    found = []
    for model, field_name in _private_fields():
        for record in model._default_manager.filter(**{field_name: name}):
            found.append((record, getattr(record, field_name)))
    return found


def file_readable(*, user, record: models.Model) -> bool:
    """Staff and directors who may view the record in the back office, or an app's rule."""
    opts = record._meta
    if (is_staff(user) or is_director(user)) and (
        user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
        or user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
    ):
        return True
    return any(rule(user=user, record=record) for rule in _READERS.get(opts.label_lower, ()))


def file_response(
    file: FieldFile,
    *,
    filename: str | None = None,
    as_attachment: bool | None = None,
    content_type: str | None = None,
) -> HttpResponse:
    """The stored file as a response; Http404 when the storage lost it.

    A PDF opens in the browser unless `as_attachment`; other files are downloaded. With
    MEDIA_ACCEL_REDIRECT_PREFIX set the response is empty and carries X-Accel-Redirect,
    for the proxy to send the file from its internal location (README, production).
    """
    name = file.name
    filename = filename or PurePosixPath(name).name
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    if as_attachment is None:
        as_attachment = content_type not in INLINE_TYPES
    if not name_is_safe(name):
        raise Http404
    prefix = settings.MEDIA_ACCEL_REDIRECT_PREFIX
    if prefix:
        if not file.storage.exists(name):
            logger.error("The file %s is missing from the storage.", name)
            raise Http404
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"/{prefix.strip('/')}/{quote(name)}"
        response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
        return response
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        logger.error("The file %s is missing from the storage.", name)
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=as_attachment, filename=filename, content_type=content_type
    )
