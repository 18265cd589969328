"""Celery wrapper around the report services (an id in, nothing out)."""

from celery import shared_task


# report_build_run claims the row and ignores a build already over, so a task delivered
# twice (acks_late after a lost worker) builds once. WeasyPrint needs seconds, not minutes.
@shared_task(acks_late=True, soft_time_limit=5 * 60, time_limit=6 * 60)
def report_build(build_id: int) -> None:
    """Build the PDF of an annual report, recording its progress."""
    from portal.reports.services import report_build_run

    report_build_run(build_id=build_id)
