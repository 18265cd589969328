from celery import shared_task
from django.core.management import call_command

from portal.core.pagecache import page_cache_refresh
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


# Safe to deliver again: the row is claimed by a conditional UPDATE before it is sent.
@shared_task(ignore_result=True, acks_late=True)
def mail_deliver_task(mail_id: int) -> None:
    """Send one recorded transactional message; after a temporary failure, try again
    later (the row waits with its next try; the sweeper sends it if this is lost)."""
    from portal.core.mail import mail_deliver

    retry_in = mail_deliver(mail_id=mail_id)
    if retry_in is not None:
        mail_deliver_task.apply_async((mail_id,), countdown=retry_in)


@shared_task(ignore_result=True)
def mail_sweep_task() -> int:
    """Beat ("mail-sweeper", every minute): the rows no task sent (see portal.core.mail)."""
    from portal.core.mail import mail_sweep

    return mail_sweep()


@shared_task(ignore_result=True)
def page_cache_refresh_task(version: int, changed: list[list]) -> int:
    """After a change to public content commits: render the pages it affects into the
    page cache, so that no visitor waits for them (portal.core.pagecache)."""
    return page_cache_refresh(version=version, changed=[tuple(row) for row in changed])
