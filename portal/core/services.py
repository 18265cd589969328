"""Writes shared by every app."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from portal.core.models import AuditEntry


def audit_log(
    *, actor, obj: models.Model, action: str, changes: dict[str, Any] | None = None
) -> AuditEntry:
    """Record who did `action` on `obj`; call it inside the transaction that makes the change."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action=action,
        changes=changes or {},
    )
