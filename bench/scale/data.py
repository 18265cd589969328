"""The benchmark's databases: created, migrated and filled by bench.dataset."""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass
class Database:
    name: str
    old_config: list
    seconds: float  # creation, migrations and dataset
    generated: bool  # False: kept from an earlier run (--keepdb)


def database_prepare(*, name: str, scale: float, keepdb: bool) -> Database:
    """Create (or, with keepdb, reuse) the database `name` and fill it when empty."""
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_databases

    from bench.dataset.command import Command as GenerateDataset
    from members.models import Person

    started = time.perf_counter()
    connection.close()
    connection.settings_dict["TEST"]["NAME"] = name
    print(f"Creating the database {name}…", flush=True)
    old_config = setup_databases(
        verbosity=0, interactive=False, keepdb=keepdb, aliases={"default"},
        serialized_aliases=set(),  # a kept database is too big to serialize, and no test reloads it
    )  # fmt: skip
    generated = not Person.objects.exists()
    if generated:
        print(f"Generating the dataset (10 years, seed 0, scale {scale})…", flush=True)
        call_command(GenerateDataset(), years=10, seed=0, scale=scale, verbosity=0)
        upcoming_ensure()
        with connection.cursor() as cursor:
            # As autovacuum leaves a live database: statistics, and the text indexes'
            # pending entries merged (a search scanned them all).
            cursor.execute("VACUUM ANALYZE")
    cache.clear()  # site settings and cached pages of another database
    return Database(name, old_config, time.perf_counter() - started, generated)


def database_drop(database: Database, *, keepdb: bool) -> None:
    from django.db import connection
    from django.test.utils import teardown_databases

    connection.close()
    teardown_databases(database.old_config, verbosity=0, keepdb=keepdb)


def upcoming_ensure(*, count: int = 12) -> None:
    """At least `count` upcoming public sessions: the dataset ends on 1 July and a small one
    may have none left. The last sessions of recent actions are copied a few weeks ahead."""
    import datetime

    from django.utils import timezone

    from events.models import Session

    missing = count - Session.objects.public().upcoming().count()
    recent = Session.objects.public().order_by("-starts_at", "-pk")[: max(missing, 0)]
    for weeks, session in enumerate(list(recent), start=2):
        shift = timezone.now() - session.starts_at + datetime.timedelta(weeks=weeks)
        session.pk = session.id = None
        session.starts_at += shift
        session.ends_at += shift
        session.registration_opens_at = session.registration_closes_at = None
        session.save()


def pages() -> dict[str, str]:
    """The public pages measured, with filters, an action and a publication taken from
    the data."""
    from events.models import Session
    from publications.models import Publication

    session = (
        Session.objects.public()
        .upcoming()
        .filter(action__themes__isnull=False, action__departments__isnull=False)
        .select_related("action")
        .order_by("starts_at", "pk")
        .first()
    )
    if session is None:
        raise RuntimeError("the dataset has no upcoming public session")
    action = session.action
    theme = action.themes.order_by("slug").first()
    department = action.departments.order_by("code").first()
    publication = (
        Publication.objects.published()
        .filter(themes__isnull=False)
        .order_by("-published_on", "-pk")
        .first()
    )
    if publication is None:
        raise RuntimeError("the dataset has no published publication with themes")
    return {
        "trivial view": "/__bench__/trivial/",
        "layout alone": "/__bench__/layout/",
        "home": "/",
        "agenda, filtered": f"/agenda/?theme={theme.slug}&departement={department.code}",
        "publication search": "/publications/?q=logement",
        "action page": f"/agenda/{action.slug}/",
        "Résonances archive": "/resonances/",
        "publication page": publication.get_absolute_url(),
        "info-doc page": "/infodoc/",
    }
