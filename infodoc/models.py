"""Info-doc: information requests answered by staff, and the resource catalogue with loans."""

from __future__ import annotations

import re
import secrets
import unicodedata
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator, get_valid_filename, slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members.models import Organisation, Person
from portal.core.models import Commune, Department, Epci, Theme
from publications.models import Publication

# The address of a published Q&A: its question's first words, as a slug.
QA_SLUG_WORDS = 10
QA_SLUG_MAX = 80


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    ON_SITE = "on_site", _("On site")


class RequesterKind(models.TextChoices):
    CITY = "city", _("City")
    EPCI = "epci", _("Inter-municipal body (EPCI)")
    DEPARTEMENT = "departement", _("Département")
    STATE = "state", _("State or institution")
    ASSOCIATION = "association", _("Association")
    SOCIAL_LANDLORD = "social_landlord", _("Social landlord")
    PROFESSIONAL = "professional", _("Professional")
    STUDENT = "student", _("Student")
    OTHER = "other", _("Other")


class RequestStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", pgettext_lazy("info-doc request", "Closed")
    NO_FOLLOW_UP = "no_follow_up", _("No follow-up")


# The workflow: new → in progress → answered → closed, or no follow-up; nothing else.
TRANSITIONS: dict[str, frozenset[str]] = {
    RequestStatus.NEW: frozenset({RequestStatus.IN_PROGRESS, RequestStatus.NO_FOLLOW_UP}),
    RequestStatus.IN_PROGRESS: frozenset({RequestStatus.ANSWERED, RequestStatus.NO_FOLLOW_UP}),
    RequestStatus.ANSWERED: frozenset({RequestStatus.CLOSED}),
    RequestStatus.CLOSED: frozenset(),
    RequestStatus.NO_FOLLOW_UP: frozenset(),
}


class ResponseType(models.TextChoices):
    DOCUMENTS = "documents", _("Documents")
    DOSSIER = "dossier", _("Thematic dossier")
    BIBLIOGRAPHY = "bibliography", _("Bibliography")
    ORIENTATION = "orientation", _("Orientation to services or people")
    SPEAKERS = "speakers", _("Speakers")
    JOB_OFFERS = "job_offers", _("Job offers")


class Resource(models.Model):
    """A resource spotted or held by the documentary space (books can be lent)."""

    class Kind(models.TextChoices):
        WEBSITE = "website", _("Website")
        RADIO = "radio", _("Radio or podcast")
        BOOK = "book", _("Book")
        REPORT = "report", _("Report")
        ARTICLE = "article", _("Article")

    title = models.CharField(_("title"), max_length=250)
    author = models.CharField(_("author"), max_length=200, blank=True)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    url = models.URLField(_("link"), blank=True)
    description = models.TextField(_("description"), blank=True)
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="resources", verbose_name=_("themes")
    )
    is_lendable = models.BooleanField(_("can be lent"), default=False)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")

    def __str__(self) -> str:
        return self.title


class InfoRequest(models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True)  # ID-2026-0042
    received_on = models.DateField(_("received on"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    person = models.ForeignKey(
        Person, models.PROTECT, related_name="info_requests", verbose_name=_("requester")
    )
    organisation = models.ForeignKey(
        Organisation, models.SET_NULL, null=True, blank=True, related_name="info_requests",
        verbose_name=_("organisation"),
    )  # fmt: skip
    requester_kind = models.CharField(
        _("requester kind"), max_length=20, choices=RequesterKind.choices
    )
    commune = models.ForeignKey(
        Commune, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("commune"),
    )  # fmt: skip
    epci = models.ForeignKey(
        Epci, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("EPCI")
    )
    department = models.ForeignKey(
        Department, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("département"),
    )  # fmt: skip
    subject = models.CharField(_("subject"), max_length=200)
    question = models.TextField(_("question"), max_length=5000)
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="info_requests", verbose_name=_("themes")
    )
    wished_by = models.DateField(_("wished deadline"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=15, choices=RequestStatus.choices, default=RequestStatus.NEW
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
        related_name="assigned_info_requests", verbose_name=_("assigned to"),
    )  # fmt: skip
    response_types = models.JSONField(_("response types"), default=list, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    publications = models.ManyToManyField(
        Publication, blank=True, related_name="info_requests", verbose_name=_("publications")
    )
    resources = models.ManyToManyField(
        Resource, blank=True, related_name="info_requests", verbose_name=_("resources")
    )
    minutes_spent = models.PositiveIntegerField(_("time spent (minutes)"), default=0)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    # Published, anonymised, as a public question and answer.
    public_question = models.TextField(_("public question"), blank=True)
    public_answer = models.TextField(_("public answer"), blank=True)
    is_public = models.BooleanField(_("published as a Q&A"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("info-doc request")
        verbose_name_plural = _("info-doc requests")
        indexes = [
            models.Index(fields=["status", "received_on"]),
            models.Index(fields=["received_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_public=False) | ~Q(public_answer=""),
                name="infodoc_public_needs_answer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.subject}"

    @property
    def public_slug(self) -> str:
        """The published question's first words, for the address of its page."""
        words = Truncator(self.public_question).words(QA_SLUG_WORDS, truncate="")
        return slugify(words)[:QA_SLUG_MAX].strip("-") or "question"

    def shown_when_created(self) -> bool:
        """A new request shows on a public page only created as a Q&A (an import); a
        visitor's request leaves the page cache in place (portal.core.pagecache)."""
        return self.is_public

    def get_public_url(self) -> str:
        """The page of the published Q&A: /infodoc/questions-reponses/<id>-<slug>/."""
        return reverse("infodoc:qa_detail", kwargs={"pk": self.pk, "slug": self.public_slug})

    @property
    def is_outside_area(self) -> bool:
        """Derived from the département against the centre's (settings.CENTRE_DEPARTMENTS)."""
        code = self.department.code if self.department_id else None
        return code is not None and code not in settings.CENTRE_DEPARTMENTS


class RequestCounter(models.Model):
    """The last reference number of a year, locked by the transaction that takes the next."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class StatusChange(models.Model):
    request = models.ForeignKey(
        InfoRequest, models.CASCADE, related_name="status_changes", verbose_name=_("request")
    )
    from_status = models.CharField(_("from"), max_length=15, choices=RequestStatus.choices)
    to_status = models.CharField(_("to"), max_length=15, choices=RequestStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("by"),
    )  # fmt: skip
    changed_at = models.DateTimeField(_("when"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status history")

    def __str__(self) -> str:
        before, after = self.get_from_status_display(), self.get_to_status_display()
        return f"{self.request.reference}\u00a0: {before} → {after}"


# Characters a stored name may not carry (the storage's rule, get_valid_filename): slashes,
# quotes, colons, control characters... Letters with accents stay.
_NOT_IN_NAME = re.compile(r"[^-\w. ]")
NAME_MAX = 120


def file_name_from_title(title: str, *, extension: str) -> str:
    """A title as a file name a person recognises: accents kept, spaces as underscores
    and other characters that systems or the storage refuse left out (the storage's own
    rule, so the name stored is this one), at most NAME_MAX characters, `extension`
    added once."""
    name = _NOT_IN_NAME.sub(" ", unicodedata.normalize("NFC", title))
    name = " ".join(name.split()).strip(". ")
    extension = extension.lower()
    if extension and name.lower().endswith(extension):
        name = name[: -len(extension)].rstrip(". ")
    name = name[: NAME_MAX - len(extension)].rstrip(" .")
    return get_valid_filename(f"{name}{extension}") if name else ""


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    """`infodoc/<year>/<random folder>/<title>.<ext>`: the stored file carries the title
    staff gave it, so it is downloaded under that name wherever it is served; the folder
    of its own keeps two files of the same title apart without altering their names."""
    stored = PurePosixPath(filename)
    name = file_name_from_title(instance.title, extension=stored.suffix) or stored.name
    return f"infodoc/{timezone.localdate():%Y}/{secrets.token_hex(4)}/{name}"


class Attachment(models.Model):
    request = models.ForeignKey(
        InfoRequest, models.CASCADE, related_name="attachments", verbose_name=_("request")
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=250)
    title = models.CharField(_("title"), max_length=200, blank=True)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title or self.file.name.rsplit("/", 1)[-1]

    @property
    def download_name(self) -> str:
        """The name the file carries in the answer email and when downloaded: its title,
        with the stored file's extension; the stored name when it has no title."""
        stored = PurePosixPath(self.file.name).name
        return file_name_from_title(self.title, extension=PurePosixPath(stored).suffix) or stored


class Loan(models.Model):
    resource = models.ForeignKey(
        Resource, models.PROTECT, related_name="loans", verbose_name=_("resource")
    )
    person = models.ForeignKey(
        Person, models.PROTECT, related_name="loans", verbose_name=_("borrower")
    )
    lent_on = models.DateField(_("lent on"))
    due_on = models.DateField(_("due on"))
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    class Meta:
        ordering = ["-lent_on"]
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        constraints = [
            models.UniqueConstraint(
                fields=["resource"],
                condition=Q(returned_on__isnull=True),
                name="infodoc_one_open_loan_per_resource",
                violation_error_message=_("This resource is already lent."),
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("lent_on")),
                name="infodoc_loan_due_after_lent",
                violation_error_message=_("The due date must follow the loan date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} → {self.person}"
