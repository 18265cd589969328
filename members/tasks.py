"""Celery wrappers around the members services (ids in, nothing out)."""

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(OSError,), max_retries=3, retry_backoff=True)
def document_render_pdf(kind: str, pk: int) -> None:
    """Render and attach the PDF of an issued document; does nothing if already attached."""
    from members.documents import document_attach_pdf

    document_attach_pdf(kind=kind, pk=pk)
