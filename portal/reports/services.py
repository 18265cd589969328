"""Building the annual report's PDF: asked for by a director, done by a Celery task.

A year has one ReportBuild row. Asking again while a build runs changes nothing; once
it is over, a new request resets the row and a new task replaces the file when done,
so the previous PDF stays downloadable until then.
"""

from __future__ import annotations

import logging
import secrets

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.services import audit_log
from portal.reports.models import BuildStatus, ReportBuild

logger = logging.getLogger(__name__)


def report_build_request(*, year: int, user) -> ReportBuild:
    """Queue the build of `year`'s report (once: a build already running is returned)."""
    from portal.reports.tasks import report_build

    with transaction.atomic():
        build, created = ReportBuild.objects.select_for_update().get_or_create(
            year=year, defaults={"requested_at": timezone.now(), "requested_by": user}
        )
        if not created and build.is_running:
            return build
        build.status = BuildStatus.QUEUED
        build.progress = 0
        build.step = _("Waiting for a worker")
        build.error = ""
        build.requested_by = user
        build.requested_at = timezone.now()
        build.started_at = build.finished_at = None
        build.save()
        audit_log(actor=user, obj=build, action="report_build_requested")
        transaction.on_commit(lambda: report_build.delay(build.pk))
    return build


def _step(build: ReportBuild, progress: int, step: str, **fields) -> None:
    """Record where the build is, visible at once to the dashboard (its own transaction)."""
    build.progress, build.step = progress, step
    for name, value in fields.items():
        setattr(build, name, value)
    build.save(update_fields=["progress", "step", *fields])


def report_build_run(*, build_id: int) -> None:
    """Gather the figures, render the PDF and store it; safe to run twice."""
    from portal.reports.pdf import report_pdf
    from portal.reports.selectors import annual_figures

    with transaction.atomic():
        build = ReportBuild.objects.select_for_update(skip_locked=True).filter(pk=build_id).first()
        if build is None or build.status not in (BuildStatus.QUEUED, BuildStatus.BUILDING):
            return  # done, failed, or being built by another worker right now
        build.status, build.started_at = BuildStatus.BUILDING, timezone.now()
        build.save(update_fields=["status", "started_at"])
    try:
        _step(build, 10, _("Gathering the figures"))
        figures = annual_figures(year=build.year)
        _step(build, 40, _("Laying out the pages"))
        document = report_pdf(figures)
        _step(build, 90, _("Storing the file"))
        previous = build.file.name
        name = f"rapport-activite-{build.year}-{secrets.token_urlsafe(12)}.pdf"
        build.file.save(name, ContentFile(document.content), save=False)
        _step(
            build, 100, _("Ready"),
            file=build.file.name, size=len(document.content), pages=document.pages,
            status=BuildStatus.DONE, finished_at=timezone.now(),
        )  # fmt: skip
        if previous and previous != build.file.name:
            build.file.storage.delete(previous)
    except Exception as error:
        logger.exception("Report %s failed", build.year)
        _step(
            build, build.progress, _("Failed"),
            status=BuildStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )  # fmt: skip
        raise
