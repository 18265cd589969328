from celery import shared_task
from django.core.management import call_command

from portal.core.sheets.jobs import import_files_purge, import_job_check, import_job_save


@shared_task
def clear_expired_sessions() -> None:
    call_command("clearsessions")


@shared_task
def ping() -> str:
    """Answer "pong": lets an operator check that a worker consumes the queue."""
    return "pong"


# Imports run for minutes at most (60,000 attendance lines take well under one).
IMPORT_LIMITS = {"soft_time_limit": 15 * 60, "time_limit": 16 * 60}


@shared_task(**IMPORT_LIMITS)
def import_job_check_task(job_id: int) -> None:
    import_job_check(job_id=job_id)


# Safe to deliver again: the job's status is claimed in the transaction that saves.
@shared_task(acks_late=True, reject_on_worker_lost=True, **IMPORT_LIMITS)
def import_job_save_task(job_id: int) -> None:
    import_job_save(job_id=job_id)


@shared_task
def import_files_purge_task() -> int:
    return import_files_purge()
