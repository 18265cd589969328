"""Back office of the annual report: the directors' texts, and the builds (read only).

Only the Direction group holds this app's permissions (portal.core.roles DIRECTOR_APPS),
so the rest of the team does not see it.
"""

from __future__ import annotations

from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.core.admin.base import ReadOnlyAdmin
from portal.reports.models import ReportBuild, ReportEdition


@admin.register(ReportEdition)
class ReportEditionAdmin(admin.ModelAdmin):
    list_display = ["year", "has_foreword", "has_perspectives", "board_size", "updated_at"]
    fields = ["year", "foreword", "perspectives", "board"]
    search_fields = ["year"]

    @admin.display(description=_("foreword"), boolean=True)
    def has_foreword(self, edition: ReportEdition) -> bool:
        return bool(edition.foreword.strip())

    @admin.display(description=_("perspectives"), boolean=True)
    def has_perspectives(self, edition: ReportEdition) -> bool:
        return bool(edition.perspectives.strip())

    @admin.display(description=_("board members"))
    def board_size(self, edition: ReportEdition) -> int:
        return len(edition.board_members())


@admin.register(ReportBuild)
class ReportBuildAdmin(ReadOnlyAdmin):
    """Read only: builds are asked for on the director dashboard and made by a task."""

    list_display = [
        "year", "status", "progress_display", "pages", "size_display", "requested_by",
        "finished_at",
    ]  # fmt: skip
    list_filter = ["status"]
    list_select_related = ["requested_by"]
    fields = [
        "year", "status", "progress_display", "step", "pages", "size_display", "download",
        "requested_by", "requested_at", "started_at", "finished_at", "error",
    ]  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("progress"))
    def progress_display(self, build: ReportBuild) -> str:
        return f"{build.progress}\u202f%"

    @admin.display(description=_("size"))
    def size_display(self, build: ReportBuild) -> str:
        return filesizeformat(build.size) if build.size else "—"

    @admin.display(description=_("PDF file"))
    def download(self, build: ReportBuild) -> str:
        """The director view that serves the file (the private media has no URL)."""
        if not build.file:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("reports:download", args=[build.year]),
            _("Download the PDF"),
        )
