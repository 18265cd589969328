"""What the events imports share: organisations looked up once, the audit entries they
write in bulk."""

from __future__ import annotations

from functools import cached_property

from members.models import Organisation
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
