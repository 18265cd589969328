"""Writes shared by every app."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from portal.core.models import AuditEntry


def _entry(*, actor, obj: models.Model, action: str, changes: dict[str, Any] | None):
    return AuditEntry(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action=action,
        changes=changes or {},
    )


def audit_log(
    *, actor, obj: models.Model, action: str, changes: dict[str, Any] | None = None
) -> AuditEntry:
    """Record who did `action` on `obj`; call it inside the transaction that makes the change."""
    entry = _entry(actor=actor, obj=obj, action=action, changes=changes)
    entry.save()
    return entry


def audit_log_many(
    *, actor, action: str, entries: Iterable[tuple[models.Model, dict[str, Any]]]
) -> None:
    """audit_log for many objects at once (an import's thousands of rows), in one INSERT
    per thousand entries."""
    AuditEntry.objects.bulk_create(
        [_entry(actor=actor, obj=obj, action=action, changes=changes) for obj, changes in entries],
        batch_size=1000,
    )
