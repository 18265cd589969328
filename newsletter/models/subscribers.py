"""Subscribers of « Résonances », with the record of their consent."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members.models import ActorType
from portal.core.models import Department, Theme


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    ACTIVE = "active", _("Active")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    BOUNCED = "bounced", _("Bounced")
    COMPLAINED = "complained", _("Complained")


class ConsentSource(models.TextChoices):
    WEB_FORM = "web_form", _("Subscription form (double opt-in)")
    IMPORT = "import", pgettext_lazy("consent source", "Import")
    STAFF = "staff", _("Entered by staff")


class MailFormat(models.TextChoices):
    HTML = "html", _("HTML with images")
    TEXT = "text", _("Plain text only")


class Subscriber(models.Model):
    email = models.EmailField(_("email"), max_length=254)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    actor_type = models.CharField(
        _("type of actor"), max_length=20, choices=ActorType.choices, default=ActorType.OTHER
    )
    department = models.ForeignKey(
        Department, models.SET_NULL, null=True, blank=True, related_name="subscribers",
        verbose_name=_("département"),
    )  # fmt: skip
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="subscribers", verbose_name=_("themes of interest"),
        help_text=_("Chosen by the subscriber; an issue sent to some themes reaches only them."),
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=12, choices=SubscriberStatus.choices,
        default=SubscriberStatus.PENDING,
    )  # fmt: skip
    mail_format = models.CharField(
        _("format"), max_length=4, choices=MailFormat.choices, default=MailFormat.HTML
    )
    # Consent: when, how and from where it was given (RGPD art. 7: be able to show it).
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_source = models.CharField(
        _("consent source"), max_length=10, choices=ConsentSource.choices,
        default=ConsentSource.WEB_FORM,
    )  # fmt: skip
    consent_basis = models.CharField(
        _("consent basis"), max_length=200, blank=True,
        help_text=_("For imported addresses: how the consent was collected."),
    )  # fmt: skip
    consent_ip = models.GenericIPAddressField(_("consent IP address"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    soft_bounces = models.PositiveSmallIntegerField(_("soft bounces"), default=0)
    last_event_at = models.DateTimeField(_("last bounce or complaint"), null=True, blank=True)
    last_event = models.CharField(_("last bounce or complaint detail"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["email"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        constraints = [
            models.UniqueConstraint(
                Lower("email"), name="subscriber_email_ci_unique",
                violation_error_message=_("This address is already subscribed."),
            ),
        ]  # fmt: skip
        indexes = [
            models.Index(fields=["status", "email"], name="subscriber_status_idx"),
            models.Index(fields=["department", "status"], name="subscriber_dept_idx"),
            models.Index(fields=["actor_type", "status"], name="subscriber_actor_idx"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
