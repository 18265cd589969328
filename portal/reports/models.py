"""The annual report: what directors write for a year, and the PDF built from it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportEdition(models.Model):
    """A year's texts, written by the directors in the back office; figures come from the apps."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    foreword = models.TextField(
        _("foreword"), blank=True, help_text=_("Paragraphs separated by an empty line.")
    )
    perspectives = models.TextField(
        _("perspectives"), blank=True, help_text=_("Paragraphs separated by an empty line.")
    )
    board = models.TextField(
        _("board"), blank=True,
        help_text=_("One member per line: the name, a comma, then the role or organisation."),
    )  # fmt: skip
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("report edition")
        verbose_name_plural = _("report editions")

    def __str__(self) -> str:
        return str(self.year)

    def board_members(self) -> list[tuple[str, str]]:
        """[(name, role)] from the board text, in the order written."""
        members = []
        for line in self.board.splitlines():
            name, _comma, role = line.partition(",")
            if name.strip():
                members.append((name.strip(), role.strip()))
        return members


class BuildStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    BUILDING = "building", _("Being built")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


def _report_path(build: ReportBuild, filename: str) -> str:
    return f"reports/{build.year}/{filename}"


class ReportBuild(models.Model):
    """The PDF of a year's report; one per year, a rebuild replaces the file.

    The file lives under the private media (no public URL): only the director
    views serve it.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=BuildStatus.choices, default=BuildStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(_("PDF file"), upload_to=_report_path, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    pages = models.PositiveSmallIntegerField(_("pages"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("requested by"),
    )  # fmt: skip
    requested_at = models.DateTimeField(_("requested"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("built report")
        verbose_name_plural = _("built reports")

    def __str__(self) -> str:
        return str(self.year)

    @property
    def is_running(self) -> bool:
        return self.status in (BuildStatus.QUEUED, BuildStatus.BUILDING)
