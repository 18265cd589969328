"""An issue of « Résonances » and the free blocks of its first two pages."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from events.models import Session
from infodoc.models import Resource
from members.models import ActorType
from portal.core.models import Department, Theme
from publications.models import Publication, PublicationKind


class IssueStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("newsletter issue", "Draft")
    READY = "ready", pgettext_lazy("newsletter issue", "Ready")
    SCHEDULED = "scheduled", pgettext_lazy("newsletter issue", "Scheduled")
    SENDING = "sending", pgettext_lazy("newsletter issue", "Sending")
    PAUSED = "paused", pgettext_lazy("newsletter issue", "Paused")
    SENT = "sent", pgettext_lazy("newsletter issue", "Sent")
    CANCELLED = "cancelled", pgettext_lazy("newsletter issue", "Cancelled")


class Issue(models.Model):
    """One monthly issue: four pages composed from portal content and free blocks."""

    number = models.PositiveIntegerField(_("number"), unique=True)
    month = models.DateField(_("month"), help_text=_("Any day of the issue's month."))
    title = models.CharField(_("title"), max_length=200)
    editorial = models.TextField(
        _("editorial"), blank=True, help_text=_("A few lines opening the issue; plain text.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=IssueStatus.choices, default=IssueStatus.DRAFT
    )
    # Page 1: the centre's activity, picked by staff from the portal.
    sessions = models.ManyToManyField(
        Session, blank=True, related_name="newsletter_issues",
        verbose_name=_("upcoming sessions"),
    )  # fmt: skip
    publications = models.ManyToManyField(
        Publication, blank=True, related_name="newsletter_issues",
        verbose_name=_("recent publications"),
    )  # fmt: skip
    # Page 3: one local initiative, written up as an experience sheet.
    initiative = models.ForeignKey(
        Publication, models.PROTECT, null=True, blank=True, related_name="newsletter_initiatives",
        limit_choices_to={"kind": PublicationKind.EXPERIENCE_SHEET},
        verbose_name=_("local initiative"),
    )  # fmt: skip
    # Page 4: resources spotted by the documentary space.
    resources = models.ManyToManyField(
        Resource, blank=True, related_name="newsletter_issues", verbose_name=_("resources")
    )
    # The segment: who receives the issue. Each criterion left empty lets everyone through;
    # a subscriber must match every criterion set (newsletter.selectors.segments).
    segment_departments = models.ManyToManyField(
        Department, blank=True, related_name="newsletter_issues", verbose_name=_("départements"),
        help_text=_("Only subscribers working in one of these départements; none: all."),
    )  # fmt: skip
    segment_actor_types = ArrayField(
        models.CharField(max_length=20, choices=ActorType.choices),
        blank=True, default=list, verbose_name=_("types of actor"),
        help_text=_("Only subscribers of one of these types; none: all."),
    )  # fmt: skip
    segment_themes = models.ManyToManyField(
        Theme, blank=True, related_name="newsletter_issues", verbose_name=_("themes"),
        help_text=_(
            "Only subscribers who chose one of these themes in their preferences; none: all, "
            "including subscribers who chose no theme."
        ),
    )  # fmt: skip
    scheduled_at = models.DateTimeField(_("sending scheduled for"), null=True, blank=True)
    sending_started_at = models.DateTimeField(_("sending started"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    recipients_count = models.PositiveIntegerField(_("recipients"), default=0, editable=False)
    # Outcomes of the delivery rows that retention deleted (newsletter.services.retention),
    # or of an archived issue's sending: the annual figures add them to the rows still there.
    delivered_archived = models.PositiveIntegerField(
        _("delivered, rows deleted"), default=0, editable=False
    )
    failed_archived = models.PositiveIntegerField(
        _("failed, rows deleted"), default=0, editable=False
    )
    # An issue sent before the portal, recorded from a spreadsheet (newsletter.imports.issues): no
    # composed pages, no delivery rows; its web text and PDF link stand for them.
    is_archived = models.BooleanField(
        _("archived issue"), default=False, editable=False,
        help_text=_("Sent before the portal and recorded from a spreadsheet."),
    )  # fmt: skip
    archive_text = models.TextField(
        _("text of the issue"),
        blank=True,
        help_text=_("Plain text; a blank line starts a paragraph."),
    )
    archive_url = models.URLField(_("link to the PDF"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        indexes = [models.Index(fields=["status", "scheduled_at"], name="issue_status_sched_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_archived=False) | models.Q(status="sent"),
                name="issue_archived_is_sent",
            )
        ]

    def __str__(self) -> str:
        return f"Résonances n° {self.number} — {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("newsletter:issue", args=[self.number])

    @property
    def is_public(self) -> bool:
        """Only sent issues are in the public archive."""
        return self.status == IssueStatus.SENT

    @property
    def pdf_url(self) -> str:
        """Where its PDF is read: printed by the portal, or an archived issue's link ("")."""
        if self.is_archived:
            return self.archive_url
        return reverse("newsletter:issue_pdf", args=[self.number, self.number])

    @property
    def is_editable(self) -> bool:
        return self.status in (IssueStatus.DRAFT, IssueStatus.READY, IssueStatus.SCHEDULED)


class BlockPage(models.TextChoices):
    ACTIVITY = "activity", _("Page 1 — the centre's activity")
    NEWS = "news", _("Page 2 — news")


class NewsScope(models.TextChoices):
    NATIONAL = "national", _("National")
    LOCAL = "local", _("Local")


class Block(models.Model):
    """A free block written by staff: an extra item of page 1, or a news item of page 2."""

    issue = models.ForeignKey(Issue, models.CASCADE, related_name="blocks", verbose_name=_("issue"))
    page = models.CharField(_("page"), max_length=10, choices=BlockPage.choices)
    scope = models.CharField(
        _("scope"), max_length=10, choices=NewsScope.choices, blank=True,
        help_text=_("For news items: national or local."),
    )  # fmt: skip
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Plain text; a blank line starts a paragraph."))
    url = models.URLField(_("link"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["issue", "page", "position", "pk"]
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(page="news", scope__in=["national", "local"])
                | models.Q(page="activity", scope=""),
                name="block_scope_matches_page",
                violation_error_message=_(
                    "A news item is national or local; other blocks have no scope."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.title
