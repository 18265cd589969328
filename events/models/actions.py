"""Actions (« démarches ») and their sessions (half-days or evenings)."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members.models import Organisation
from portal.core.models import Commune, Department, Theme


class ActionFormat(models.TextChoices):
    PEER_GROUP = "peer_group", _("Peer working group")
    BREAKFAST = "breakfast", _("Breakfast")
    QUALIFICATION_CYCLE = "cycle", _("Qualification cycle")
    WORKSHOP = "workshop", _("Workshop")
    MEETING = "meeting", _("Meeting or day")
    SEMINAR = "seminar", _("Seminar")
    WEBINAR = "webinar", _("Webinar")
    TRAINING = "training", _("Training")
    ELECTED_SATURDAY = "elected_saturday", _("Elected officials' Saturday")
    STUDIES_DEBATE = "studies_debate", _("Studies up for debate")
    OBSERVATION = "observation", _("Observation and territories meeting")
    ACTION_TRAINING = "action_training", _("Action-training")
    SUPPORT = "support", _("Support to a territory")


class Mission(models.TextChoices):
    QUALIFY = "qualify", _("Qualify")
    INFORM = "inform", _("Inform")
    NETWORK = "network", _("Network")


class ActionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class ActionQuerySet(models.QuerySet):
    def public(self) -> ActionQuerySet:
        """What the public agenda shows."""
        return self.filter(is_public=True, status=ActionStatus.PUBLISHED)


class Action(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    format = models.CharField(_("format"), max_length=20, choices=ActionFormat.choices)
    mission = models.CharField(
        _("mission"), max_length=10, choices=Mission.choices, default=Mission.QUALIFY
    )
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="actions", verbose_name=_("themes")
    )
    partners = models.ManyToManyField(
        Organisation, blank=True, related_name="partner_actions", verbose_name=_("partners")
    )
    departments = models.ManyToManyField(
        Department, blank=True, related_name="actions", verbose_name=_("départements covered")
    )
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Shown in the public agenda once published.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        indexes = [models.Index(fields=["status", "is_public"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:action", args=[self.slug])


class RegistrationMode(models.TextChoices):
    OPEN = "open", _("Open")
    ON_REQUEST = "on_request", _("On request")
    CLOSED = "closed", _("Closed")


# A session longer than this counts as a full day (two half-days).
HALF_DAY_MAX = timedelta(hours=5)
# How staff name a session in spreadsheets and on the phone: « S-000123 » (its id).
SESSION_REFERENCE = "S-{:06d}"


class SessionQuerySet(models.QuerySet):
    def public(self) -> SessionQuerySet:
        return self.filter(
            action__is_public=True, action__status=ActionStatus.PUBLISHED, is_cancelled=False
        )

    def upcoming(self) -> SessionQuerySet:
        return self.filter(ends_at__gte=timezone.now())

    def past(self) -> SessionQuerySet:
        return self.filter(ends_at__lt=timezone.now())


class Session(models.Model):
    action = models.ForeignKey(
        Action, models.CASCADE, related_name="sessions", verbose_name=_("action")
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    half_days_override = models.PositiveSmallIntegerField(
        _("half-days"), null=True, blank=True,
        help_text=_("Leave empty: a half-day or an evening counts 1, a full day 2."),
    )  # fmt: skip
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    commune = models.ForeignKey(
        Commune, models.SET_NULL, null=True, blank=True, related_name="sessions",
        verbose_name=_("commune"),
    )  # fmt: skip
    is_online = models.BooleanField(_("online"), default=False)
    online_url = models.URLField(
        _("online link"), blank=True, help_text=_("Shown only to registered people.")
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    mode = models.CharField(
        _("registration"), max_length=12, choices=RegistrationMode.choices,
        default=RegistrationMode.OPEN,
    )  # fmt: skip
    # A yes/no, not the date « annulée le » of the registrations' and memberships' fields.
    is_cancelled = models.BooleanField(pgettext_lazy("yes or no", "cancelled"), default=False)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [models.Index(fields=["starts_at"]), models.Index(fields=["ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="events_session_ends_after_start",
                violation_error_message=_("A session must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        label = self.title or self.action.title
        return f"{label} — {date_format(timezone.localtime(self.starts_at), 'DATE_FORMAT')}"

    def get_absolute_url(self) -> str:
        """A session has no page of its own: its action's page shows it."""
        return self.action.get_absolute_url()

    @property
    def reference(self) -> str:
        """The session's reference, shown in the back office and read by the imports."""
        return SESSION_REFERENCE.format(self.pk) if self.pk else ""

    @property
    def half_days(self) -> int:
        if self.half_days_override is not None:
            return self.half_days_override
        return 1 if self.ends_at - self.starts_at <= HALF_DAY_MAX else 2

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    def registration_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            not self.is_cancelled
            and self.mode != RegistrationMode.CLOSED
            and self.starts_at > now
            and (self.registration_opens_at is None or self.registration_opens_at <= now)
            and (self.registration_closes_at is None or now < self.registration_closes_at)
        )
