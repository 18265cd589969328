"""Writes of the publications app: saving, the editorial workflow, thumbnails, downloads."""

from __future__ import annotations

import io
import logging
import unicodedata
from datetime import date, datetime

import nh3
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from portal.core.services import audit_log
from publications.models import Publication, PublicationStatus

logger = logging.getLogger(__name__)

# Editorial HTML: paragraphs, subheadings, emphasis, links, lists, quotes.
BODY_TAGS = frozenset(
    {"p", "h2", "h3", "h4", "strong", "em", "a", "ul", "ol", "li", "blockquote", "br"}
)
BODY_ATTRIBUTES = {"a": {"href"}}
BODY_URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Removed with their content (not just their tags).
BODY_DROPPED = frozenset({"script", "style", "iframe", "object", "embed", "template", "noscript"})
THUMBNAIL_WIDTH = 400


def publication_body_clean(html: str) -> str:
    """The body's HTML reduced to the editorial allow-list (links get rel="noopener noreferrer").

    Scripts, event handlers (onclick…), styles and javascript: links are removed.
    """
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=set(BODY_TAGS),
        clean_content_tags=set(BODY_DROPPED),
        attributes={tag: set(names) for tag, names in BODY_ATTRIBUTES.items()},
        url_schemes=set(BODY_URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def _status_audit(*, publication: Publication, actor, old: str | None, action: str) -> None:
    audit_log(
        actor=actor,
        obj=publication,
        action=action,
        changes={
            "status": [old, publication.status],
            "published_on": publication.published_on,
        },
    )


@transaction.atomic
def publication_save(
    *, publication: Publication, actor, cover_changed: bool = False
) -> Publication:
    """Create or update a publication: clean its body, validate, save, audit its status.

    The thumbnail is (re)generated when the cover changed or when it is missing.
    Many-to-many fields are the caller's (the admin saves them after this call).
    """
    creating = publication.pk is None
    old_status = (
        None
        if creating
        else Publication.objects.filter(pk=publication.pk).values_list("status", flat=True).first()
    )
    publication.body = publication_body_clean(publication.body)
    # Composed accents (NFC), so that accent folding in the search vector sees them:
    # text pasted from PDFs often carries separate combining marks.
    for field in ("title", "summary", "body", "authors"):
        setattr(publication, field, unicodedata.normalize("NFC", getattr(publication, field)))
    publication.full_clean(exclude=["search_vector"], validate_unique=True)
    publication.save()
    if creating:
        audit_log(
            actor=actor,
            obj=publication,
            action="publication.created",
            changes={"status": publication.status, "published_on": publication.published_on},
        )
    elif old_status != publication.status:
        _status_audit(
            publication=publication, actor=actor, old=old_status, action="publication.status"
        )
    if cover_changed or bool(publication.cover) != bool(publication.thumbnail):
        publication_thumbnail_generate(publication=publication)
    return publication


def publication_thumbnail_generate(*, publication: Publication) -> None:
    """Make a JPEG thumbnail 400 px wide (never enlarged) from the cover, or drop it.

    The EXIF orientation is applied, then every metadata is left out (no GPS data
    of a photo ends on the site).
    """
    old_name = publication.thumbnail.name if publication.thumbnail else ""
    if not publication.cover:
        if old_name:
            publication.thumbnail.delete(save=False)
            Publication.objects.filter(pk=publication.pk).update(thumbnail="")
        return
    try:
        data = _thumbnail_bytes(publication)
    except (OSError, ValueError, Image.DecompressionBombError):
        logger.warning("No thumbnail for publication %s: its cover cannot be read.", publication.pk)
        return
    if old_name:
        publication.thumbnail.storage.delete(old_name)
    publication.thumbnail.save(
        f"{publication.slug or 'publication'}.jpg", ContentFile(data), save=False
    )
    Publication.objects.filter(pk=publication.pk).update(thumbnail=publication.thumbnail.name)


def _thumbnail_bytes(publication: Publication) -> bytes:
    with publication.cover.open("rb") as cover, Image.open(cover) as source:
        image = ImageOps.exif_transpose(source)
        if image.mode not in ("RGB", "L"):
            background = Image.new("RGB", image.size, "white")
            rgba = image.convert("RGBA")
            background.paste(rgba, mask=rgba.getchannel("A"))
            image = background
        image = image.convert("RGB")
        if image.width > THUMBNAIL_WIDTH:
            height = max(1, round(image.height * THUMBNAIL_WIDTH / image.width))
            image = image.resize((THUMBNAIL_WIDTH, height), Image.Resampling.LANCZOS)
        output = io.BytesIO()
        image.save(output, format="JPEG", quality=85, optimize=True, progressive=True)
    return output.getvalue()


def _status_set(
    *, publication: Publication, actor, status: str, published_on: date | None, action: str
) -> Publication:
    """Change the status under a row lock; `published_on=None` keeps the date, except that
    publishing never leaves a date in the future (the page would stay hidden)."""
    locked = Publication.objects.select_for_update().get(pk=publication.pk)
    old = locked.status
    if published_on is None:
        published_on = locked.published_on
        if status == PublicationStatus.PUBLISHED:
            published_on = min(published_on, timezone.localdate())
    if old == status and locked.published_on == published_on:
        return locked
    locked.status = status
    locked.published_on = published_on
    locked.save(update_fields=["status", "published_on", "updated_at"])
    _status_audit(publication=locked, actor=actor, old=old, action=action)
    publication.status, publication.published_on = locked.status, locked.published_on
    return locked


@transaction.atomic
def publication_publish(*, publication: Publication, actor) -> Publication:
    """Put a publication online now; a date still in the future becomes today."""
    return _status_set(
        publication=publication,
        actor=actor,
        status=PublicationStatus.PUBLISHED,
        published_on=None,
        action="publication.published",
    )


@transaction.atomic
def publication_schedule(*, publication: Publication, actor, publish_on: date) -> Publication:
    """Plan the publication for `publish_on` (today or later); the beat puts it online."""
    if publish_on < timezone.localdate():
        raise ValidationError(
            _("A publication can only be scheduled for today or a later date."),
            code="schedule_in_past",
        )
    return _status_set(
        publication=publication,
        actor=actor,
        status=PublicationStatus.SCHEDULED,
        published_on=publish_on,
        action="publication.scheduled",
    )


@transaction.atomic
def publication_withdraw(*, publication: Publication, actor) -> Publication:
    """Take a publication back to draft (offline, no longer scheduled)."""
    return _status_set(
        publication=publication,
        actor=actor,
        status=PublicationStatus.DRAFT,
        published_on=None,
        action="publication.withdrawn",
    )


@transaction.atomic
def publications_publish_due(*, now: datetime | None = None) -> int:
    """Publish the scheduled publications whose date has come; return how many.

    Safe to run twice or in parallel: rows are claimed with SKIP LOCKED and only
    scheduled ones are touched, so a second run finds nothing to do.
    """
    today = timezone.localdate(now) if now is not None else timezone.localdate()
    due = (
        Publication.objects.select_for_update(skip_locked=True)
        .filter(status=PublicationStatus.SCHEDULED, published_on__lte=today)
        .order_by("published_on", "pk")
    )
    count = 0
    for publication in due:
        publication.status = PublicationStatus.PUBLISHED
        publication.save(update_fields=["status", "updated_at"])
        _status_audit(
            publication=publication,
            actor=None,
            old=PublicationStatus.SCHEDULED,
            action="publication.published",
        )
        count += 1
    return count


def publication_download_record(*, publication: Publication) -> None:
    """Count one download (an atomic increment, safe under concurrent requests)."""
    Publication.objects.filter(pk=publication.pk).update(download_count=F("download_count") + 1)
