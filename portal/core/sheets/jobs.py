"""Import jobs: a file sent by staff, checked, confirmed, then saved.

A small file is checked and saved within the request; a larger one (settings.
IMPORT_INLINE_KB) by a worker, while the job page shows a progress bar read from Redis.
The job's status is claimed under a row lock, so a confirmation clicked twice imports
once, and a task delivered twice does nothing the second time. Whatever happens, the job
ends with a status and a message in French: staff never face a server error.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.core.models import ImportJob, ImportJobStatus
from portal.core.services import audit_log
from portal.core.sheets.engine import Importer, Outcome, import_check, import_save
from portal.core.sheets.registry import importer_for

logger = logging.getLogger(__name__)

PREVIEW_ROWS = 50
PROGRESS_SECONDS = 3600
PHASES = {
    "reading": gettext_lazy("Reading the file"),
    "checking": gettext_lazy("Checking the lines"),
    "saving": gettext_lazy("Saving"),
}


class ImportRefused(Exception):
    """The job cannot do what was asked; the message says why, in French."""


def _progress_key(job_id: int) -> str:
    return f"import-job:{job_id}:progress"


def job_progress(job: ImportJob) -> dict:
    """{"phase", "phase_label", "done", "total", "percent", "finished"} for the job page's
    progress bar (a total of 0: not known yet)."""
    progress = cache.get(_progress_key(job.pk)) or {"phase": "reading", "done": 0, "total": 0}
    percent = min(100, 100 * progress["done"] // progress["total"]) if progress["total"] else 0
    return {
        **progress,
        "phase_label": str(PHASES.get(progress["phase"], "")),
        "percent": percent,
        "finished": not job.is_running,
    }


def _reporter(job_id: int):
    def report(phase: str, done: int, total: int) -> None:
        cache.set(
            _progress_key(job_id),
            {"phase": phase, "done": done, "total": total},
            PROGRESS_SECONDS,
        )

    return report


def _importer(job: ImportJob) -> Importer:
    return importer_for(job.kind)(
        actor=job.created_by, options=job.options, progress=_reporter(job.pk)
    )


def job_data(job: ImportJob) -> bytes:
    with job.file.open("rb") as handle:
        return handle.read()


# Files sent beside the spreadsheet ------------------------------------------------------
# An importer's options form may ask for files as well (the PDFs of publications): they are
# kept in the private media until the job ends, and the options name each of them as
# {"name": as sent, "path": in the storage, "size": bytes} (a list for a multiple field).
ATTACHMENTS = "imports/attachments"


def _attachment_keep(folder: str, upload: UploadedFile) -> dict:
    suffix = PurePath(upload.name).suffix.lower()[:10]
    path = default_storage.save(f"{folder}/{uuid.uuid4().hex}{suffix}", upload)
    return {"name": upload.name, "path": path, "size": upload.size}


def _attachments_keep(options: dict) -> dict:
    folder = f"{ATTACHMENTS}/{uuid.uuid4().hex}"
    kept = {}
    for name, value in options.items():
        if isinstance(value, UploadedFile):
            value = _attachment_keep(folder, value)
        elif isinstance(value, list) and any(isinstance(item, UploadedFile) for item in value):
            value = [_attachment_keep(folder, item) for item in value]
        kept[name] = value
    return kept


def attachments(options: dict) -> list[dict]:
    """Every file kept with these options (see above)."""
    found = []
    for value in options.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and str(item.get("path", "")).startswith(ATTACHMENTS):
                found.append(item)
    return found


def _attachments_delete(job: ImportJob) -> None:
    """The files go when the job ends: imported, failed or cancelled."""
    kept = attachments(job.options)
    for item in kept:
        default_storage.delete(item["path"])
    for folder in {str(PurePath(item["path"]).parent) for item in kept}:
        with contextlib.suppress(NotImplementedError, OSError):
            os.rmdir(default_storage.path(folder))  # a local storage keeps empty folders


def _result(outcome: Outcome) -> dict:
    """What the job page shows: counts, every error, the first lines (a few KB per 1,000
    errors, whatever the size of the file)."""
    return {
        "counts": outcome.counts(),
        "rows": len(outcome.rows),
        "file_errors": outcome.file_errors,
        "ignored_columns": outcome.ignored_columns,
        "errors": [[row.line, " ".join(row.errors)] for row in outcome.error_rows],
        "preview": [[row.line, row.change, row.label] for row in outcome.rows if row.valid][
            :PREVIEW_ROWS
        ],
    }


def _inline(job: ImportJob) -> bool:
    size = job.file.size + sum(item.get("size", 0) for item in attachments(job.options))
    return size <= settings.IMPORT_INLINE_KB * 1024


def import_job_create(*, kind: str, upload: UploadedFile, options: dict, actor) -> ImportJob:
    """Store the file and check it: now if it is small, else in a worker."""
    from portal.core.tasks import import_job_check_task

    job = ImportJob(
        kind=kind,
        file_name=upload.name[:200],
        options=_attachments_keep(options),
        created_by=actor,
    )
    suffix = PurePath(upload.name).suffix.lower()[:10]
    job.file.save(f"{uuid.uuid4().hex}{suffix}", upload, save=False)
    job.save()
    if _inline(job):
        import_job_check(job_id=job.pk)
        job.refresh_from_db()
    else:
        import_job_check_task.delay_on_commit(job.pk)
    return job


def _fail(job_id: int, message: str) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJobStatus.FAILED, error=message, finished_at=timezone.now()
    )
    for job in ImportJob.objects.filter(pk=job_id).only("options"):
        _attachments_delete(job)


def import_job_check(*, job_id: int) -> None:
    """Check the job's file (no write but the job's own result); safe to run twice."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != ImportJobStatus.CHECKING:
        return
    try:
        outcome = import_check(_importer(job), job_data(job))
    except Exception:
        logger.exception("Import job %s could not be checked.", job_id)
        _fail(job_id, _("The file could not be checked: an unexpected error occurred."))
        return
    job.result = _result(outcome)
    job.status = ImportJobStatus.FAILED if outcome.file_errors else ImportJobStatus.CHECKED
    job.save(update_fields=["result", "status"])
    if job.status == ImportJobStatus.FAILED:
        _attachments_delete(job)


def import_job_confirm(*, job_id: int, valid_only: bool, actor) -> ImportJob:
    """Claim the checked job for saving (once, whatever the clicks), then save it."""
    from portal.core.tasks import import_job_save_task

    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status != ImportJobStatus.CHECKED:
            raise ImportRefused(_("This import was already confirmed or cancelled."))
        counts = job.result.get("counts", {})
        if counts.get("error") and not valid_only:
            raise ImportRefused(
                _(
                    "Some lines have errors: correct the file and send it again, or choose "
                    "to import the valid lines only."
                )
            )
        if not valid_only and not job.result.get("rows"):
            raise ImportRefused(_("The file has no line to import."))
        job.status = ImportJobStatus.IMPORTING
        job.valid_only = valid_only
        job.error = ""
        job.save(update_fields=["status", "valid_only", "error"])
        audit_log(actor=actor, obj=job, action="import.confirmed", changes={"kind": job.kind})
    if _inline(job):
        import_job_save(job_id=job.pk)
    else:
        import_job_save_task.delay_on_commit(job.pk)
    job.refresh_from_db()
    return job


def import_job_save(*, job_id: int) -> None:
    """Save the claimed job: all its rows (or its valid ones) in one transaction."""
    try:
        with transaction.atomic():
            job = (
                ImportJob.objects.select_for_update(of=("self",))
                .select_related("created_by")
                .get(pk=job_id)
            )
            if job.status != ImportJobStatus.IMPORTING:
                return
            outcome = import_save(_importer(job), job_data(job), valid_only=job.valid_only)
            job.result = _result(outcome)
            if outcome.saved:
                job.status = ImportJobStatus.DONE
                job.finished_at = timezone.now()
                audit_log(
                    actor=job.created_by,
                    obj=job,
                    action="import.done",
                    changes={"kind": job.kind, "file": job.file_name, **outcome.counts()},
                )
                transaction.on_commit(lambda: _attachments_delete(job))
            else:
                job.status = ImportJobStatus.CHECKED
                job.error = _(
                    "The data changed since the check and some lines are now wrong: nothing "
                    "was imported. Look at the errors below."
                )
            job.save(update_fields=["result", "status", "finished_at", "error"])
    except Exception:
        logger.exception("Import job %s could not be saved.", job_id)
        _fail(job_id, _("Nothing was imported: an unexpected error occurred."))


def import_job_cancel(*, job_id: int, actor) -> None:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status not in (ImportJobStatus.CHECKED, ImportJobStatus.FAILED):
            raise ImportRefused(_("This import can no longer be cancelled."))
        job.status = ImportJobStatus.CANCELLED
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at"])
        transaction.on_commit(lambda: _file_delete(job))


def _file_delete(job: ImportJob) -> None:
    """The file goes with the job's data; the job stays as a record of what was sent."""
    job.file.delete(save=False)
    ImportJob.objects.filter(pk=job.pk).update(file="")
    _attachments_delete(job)


def import_files_purge(*, now=None) -> int:
    """Delete the files of the jobs sent more than IMPORT_FILE_DAYS ago (the spreadsheets
    hold people's data; the rows they brought are in the database); the jobs stay, as a
    record of what was imported. Jobs still running keep theirs. The number purged."""
    before = (now or timezone.now()) - timedelta(days=settings.IMPORT_FILE_DAYS)
    old = (
        ImportJob.objects.filter(created_at__lt=before)
        .exclude(file="")
        .exclude(status__in=(ImportJobStatus.CHECKING, ImportJobStatus.IMPORTING))
    )
    purged = 0
    for job in old.iterator():
        _file_delete(job)
        purged += 1
    return purged
