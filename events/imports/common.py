"""What the events imports share: organisations looked up once, the audit entries they
write in bulk."""

from __future__ import annotations

from functools import cached_property

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from members.models import Organisation
from portal.core.models import AuditEntry
from portal.core.sheets.columns import Lookups
from portal.core.text import loose_key

BATCH = 2000  # rows per INSERT or UPDATE
CHUNK = 5000  # values per IN (...) of a read


class EventLookups(Lookups):
    """The portal's reference data, and the directory's organisations by loose name."""

    @cached_property
    def organisations(self) -> dict[str, int]:
        """{loose name: id}; of two organisations spelled alike, the older one."""
        found: dict[str, int] = {}
        for pk, name in Organisation.objects.order_by("pk").values_list("pk", "name"):
            found.setdefault(loose_key(name), pk)
        return found


def actor_or_none(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def audit_entries(*, actor, action: str, changes: list[tuple[Model, dict]]) -> None:
    """One audit entry per (record, changes), written at once (as audit_log writes one)."""
    if not changes:
        return
    content_type = ContentType.objects.get_for_model(changes[0][0])
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=actor_or_none(actor),
                content_type=content_type,
                object_id=str(record.pk),
                object_repr=str(record)[:200],
                action=action,
                changes=change,
            )
            for record, change in changes
        ],
        batch_size=BATCH,
    )
