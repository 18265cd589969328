"""The publications catalogue: typed documents, files, French full-text search."""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import F, Func, Q
from django.db.models.expressions import CombinedExpression
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Action
from members.models import Organisation
from portal.core.models import Department, Theme


class PublicationKind(models.TextChoices):
    EXPERIENCE_COLLECTION = "experience_collection", _("Collection of experience sheets")
    EXPERIENCE_SHEET = "experience_sheet", _("Experience sheet")
    PROCEEDINGS = "proceedings", _("Proceedings")
    SYNTHESIS = "synthesis", _("Synthesis")
    STUDY = "study", _("Study")
    DOSSIER = "dossier", _("Dossier")
    PRESS_KIT = "press_kit", _("Press review dossier")
    TEACHING_KIT = "teaching_kit", _("Educational kit")
    BOOKLET = "booklet", _("Booklet")
    PODCAST = "podcast", _("Podcast")
    REPLAY = "replay", _("Replay or webinar")
    NETWORK_CONTRIBUTION = (
        "network_contribution",
        _("Contribution to a national network publication"),
    )


# Kinds whose main content is an external media (the visitor follows a link to it).
MEDIA_KINDS = frozenset({PublicationKind.PODCAST, PublicationKind.REPLAY})


# Audio and video files a publication can carry, played in its page: extension → type.
MEDIA_TYPES = {
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "ogg": "audio/ogg",
    "oga": "audio/ogg",
    "opus": "audio/ogg",
    "wav": "audio/wav",
    "mp4": "video/mp4",
    "webm": "video/webm",
    "ogv": "video/ogg",
}


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")


class PublicationQuerySet(models.QuerySet):
    def published(self) -> PublicationQuerySet:
        return self.filter(
            status=PublicationStatus.PUBLISHED, published_on__lte=timezone.localdate()
        )


def _weighted(field: str, weight: str) -> Func:
    """setweight(to_tsvector('french', unaccented text without tags), weight).

    portal_unaccent() is the IMMUTABLE wrapper of the `unaccent` extension (core's
    migration 0014) that a generated column may call; unaccent() itself is only STABLE.
    """
    return Func(
        F(field),
        template=(
            "setweight(to_tsvector('french'::regconfig, portal_unaccent(regexp_replace("
            f"coalesce(%(expressions)s, ''), '<[^>]+>', ' ', 'g'))), '{weight}')"
        ),
        output_field=SearchVectorField(),
    )


def _joined(*vectors: Func) -> CombinedExpression:
    combined = vectors[0]
    for vector in vectors[1:]:
        combined = CombinedExpression(combined, "||", vector, output_field=SearchVectorField())
    return combined


class Publication(models.Model):
    title = models.CharField(_("title"), max_length=250)
    slug = models.SlugField(_("slug"), max_length=250, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=PublicationKind.choices)
    summary = models.TextField(_("summary"), max_length=1000, blank=True)
    body = models.TextField(_("body"), blank=True, help_text=_("Formatted text; cleaned on save."))
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="publications", verbose_name=_("themes")
    )
    departments = models.ManyToManyField(
        Department, blank=True, related_name="publications", verbose_name=_("territories")
    )
    authors = models.CharField(_("authors"), max_length=300, blank=True)
    coproducers = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="coproduced_publications",
        verbose_name=_("coproducers"),
    )
    actions = models.ManyToManyField(
        Action, blank=True, related_name="publications", verbose_name=_("originating actions")
    )
    published_on = models.DateField(_("publication date"), default=timezone.localdate)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFT,
    )
    file = models.FileField(_("PDF file"), upload_to="publications/%Y/", blank=True)
    cover = models.ImageField(_("cover image"), upload_to="publications/covers/", blank=True)
    thumbnail = models.ImageField(
        _("thumbnail"), upload_to="publications/thumbnails/", blank=True, editable=False
    )
    media_url = models.URLField(
        _("media link"),
        blank=True,
        help_text=_("Podcast or replay page; opened only when the visitor clicks."),
    )
    media_file = models.FileField(
        _("audio or video file"),
        upload_to="publications/media/%Y/",
        blank=True,
        validators=[FileExtensionValidator(sorted(MEDIA_TYPES))],
        help_text=_("MP3, M4A, OGG, WAV, MP4 or WebM: played in the publication's page."),
    )
    transcript = models.TextField(
        _("transcript"),
        blank=True,
        help_text=_("The words of the audio or video, shown under the player."),
    )
    download_count = models.PositiveIntegerField(_("downloads"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Title ranks above summary, summary above body (weights A, B, C).
    search_vector = models.GeneratedField(
        expression=_joined(
            _weighted("title", "A"), _weighted("summary", "B"), _weighted("body", "C")
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "-pk"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        indexes = [
            GinIndex(fields=["search_vector"], name="publication_search_gin"),
            models.Index(fields=["status", "-published_on", "-id"], name="publication_listing"),
            models.Index(fields=["kind"]),
            # The public image route finds the publication holding a cover or thumbnail.
            models.Index(fields=["cover"], name="publication_cover", condition=~Q(cover="")),
            models.Index(
                fields=["thumbnail"], name="publication_thumbnail", condition=~Q(thumbnail="")
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=PublicationStatus.SCHEDULED) | Q(published_on__isnull=False),
                name="publications_scheduled_has_date",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("publications:detail", args=[self.slug])

    @property
    def author_names(self) -> list[str]:
        """The authors field holds names separated by semicolons."""
        return [name.strip() for name in self.authors.split(";") if name.strip()]

    @property
    def kind_label(self) -> str:
        """The kind's name, as get_kind_display() gives it without building a dict of
        every choice on each call (twenty times on a page of the list)."""
        return PublicationKind(self.kind).label

    @property
    def is_media(self) -> bool:
        return self.kind in MEDIA_KINDS

    @property
    def media_content_type(self) -> str | None:
        """The type of the audio or video file (audio/mpeg, video/mp4...); None without one."""
        if not self.media_file:
            return None
        return MEDIA_TYPES.get(self.media_file.name.rsplit(".", 1)[-1].lower())

    @property
    def media_element(self) -> str | None:
        """« audio » or « video »: the HTML element that plays the file."""
        content_type = self.media_content_type
        return content_type.split("/", 1)[0] if content_type else None
