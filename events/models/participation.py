"""Who registers, who attends, how many came, and what they thought of it."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from events.models.actions import Session
from members.models import ActorType, Person
from portal.core.models import Department


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("Waiting list")
    REQUESTED = "requested", _("Awaiting confirmation")
    CANCELLED = "cancelled", _("Cancelled")


class RegistrationSource(models.TextChoices):
    WEB = "web", _("Web form")
    STAFF = "staff", _("Staff")


class RegistrationQuerySet(models.QuerySet):
    def active(self) -> RegistrationQuerySet:
        return self.exclude(status=RegistrationStatus.CANCELLED)

    def confirmed(self) -> RegistrationQuerySet:
        return self.filter(status=RegistrationStatus.CONFIRMED)

    def waitlist(self) -> RegistrationQuerySet:
        """The waiting list, first come first served."""
        return self.filter(status=RegistrationStatus.WAITLISTED).order_by("created_at", "pk")


class Registration(models.Model):
    session = models.ForeignKey(
        Session, models.CASCADE, related_name="registrations", verbose_name=_("session")
    )
    person = models.ForeignKey(
        Person, models.PROTECT, related_name="registrations", verbose_name=_("person")
    )
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices)
    source = models.CharField(
        _("source"), max_length=8, choices=RegistrationSource.choices,
        default=RegistrationSource.WEB,
    )  # fmt: skip
    cycle_key = models.UUIDField(
        _("cycle registration"), null=True, blank=True,
        help_text=_("Shared by the registrations made at once for every session of an action."),
    )  # fmt: skip
    created_at = models.DateTimeField(_("registered"), auto_now_add=True, db_index=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"],
                condition=~Q(status=RegistrationStatus.CANCELLED),
                name="events_registration_once_per_session",
                violation_error_message=_("This person is already registered for this session."),
            ),
        ]
        indexes = [models.Index(fields=["session", "status"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.session}"


class Attendance(models.Model):
    """A named participation in a session (registered or walked in)."""

    session = models.ForeignKey(
        Session, models.CASCADE, related_name="attendances", verbose_name=_("session")
    )
    person = models.ForeignKey(
        Person, models.PROTECT, related_name="attendances", verbose_name=_("person")
    )
    present = models.BooleanField(_("present"), default=False)
    is_walk_in = models.BooleanField(_("walk-in"), default=False)
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("checked by"),
    )  # fmt: skip
    evaluation_sent_at = models.DateTimeField(_("evaluation sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="events_attendance_once")
        ]
        indexes = [models.Index(fields=["session", "present"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.session}"


class Headcount(models.Model):
    """Participants counted without names (large days), by département and kind."""

    session = models.ForeignKey(
        Session, models.CASCADE, related_name="headcounts", verbose_name=_("session")
    )
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("département"), help_text=_("Empty: outside the known départements."),
    )  # fmt: skip
    actor_type = models.CharField(
        _("type of actor"), max_length=20, choices=ActorType.choices, default=ActorType.OTHER
    )
    count = models.PositiveIntegerField(_("participants"))

    class Meta:
        verbose_name = _("headcount")
        verbose_name_plural = _("headcounts")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "department", "actor_type"],
                nulls_distinct=False,
                name="events_headcount_one_per_group",
                violation_error_message=_("This group is already counted for this session."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.session}: {self.count}"


def _score_validators():
    return [MinValueValidator(1), MaxValueValidator(5)]


class Evaluation(models.Model):
    """A participant's answer to the questionnaire sent after a session."""

    session = models.ForeignKey(
        Session, models.CASCADE, related_name="evaluations", verbose_name=_("session")
    )
    person = models.ForeignKey(
        Person, models.CASCADE, related_name="evaluations", verbose_name=_("person")
    )
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1 to 5)"), validators=_score_validators()
    )
    usefulness = models.PositiveSmallIntegerField(
        _("usefulness (1 to 5)"), validators=_score_validators()
    )
    comments = models.TextField(_("comments"), blank=True, max_length=3000)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="events_evaluation_once"),
            models.CheckConstraint(
                condition=Q(satisfaction__range=(1, 5), usefulness__range=(1, 5)),
                name="events_evaluation_scores",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.session}"
