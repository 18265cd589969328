"""A realistic, deterministic dataset over several years, for load tests and demos.

`generate(years=10, seed=0, scale=1.0)` fills every app with the volumes of a busy
resource centre (about 800 organisations, 15,000 people, 600 actions, 2,000 sessions,
60,000 attendances, 1,200 info-doc requests, 2,000 publications, 30,000 newsletter
subscribers and their deliveries) ending on the reference date: 1 July of the current
year, fixed so that a seed gives the same rows all year long. Rows are written with
bulk_create in batches (the deliveries with one INSERT … SELECT); the numbered documents
follow the numbering service's format with their counter rows set to the last number.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from time import monotonic
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from faker import Faker

from demo.names import french_faker

APPS = ("members", "events", "publications", "infodoc", "newsletter")
BATCH = 2000
PARIS = ZoneInfo("Europe/Paris")


class DatasetError(Exception):
    """The dataset cannot be generated here; the message says why."""


@dataclass
class Context:
    rng: random.Random
    fake: Faker  # people's and streets' names (fr_FR), seeded like rng
    years: list[int]
    today: date
    scale: float
    counts: dict[str, int] = field(default_factory=dict)
    shared: dict = field(default_factory=dict)  # rows one module hands to the next
    timings: dict[str, float] = field(default_factory=dict)

    def volume(self, base: float) -> int:
        return max(1, round(base * self.scale))

    def pick(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def day_in(self, year: int, *, until: date | None = None) -> date:
        start = date(year, 1, 1).toordinal()
        end = min(date(year, 12, 31), until or self.today).toordinal()
        return date.fromordinal(self.rng.randint(start, max(start, end)))

    def moment(self, day: date, hour: int = 9, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def ascii_slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return slugify(text).replace("-", "")


@contextmanager
def keep_dates(*model_classes: type[models.Model]) -> Iterator[None]:
    """Let bulk_create store the given created/updated dates instead of now."""
    patched = []
    for model in model_classes:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                patched.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in patched:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def bulk(model: type[models.Model], rows: Iterable[models.Model]) -> list[models.Model]:
    """bulk_create in batches, keeping the dates set on the rows."""
    rows = list(rows)
    with keep_dates(model):
        return model.objects.bulk_create(rows, batch_size=BATCH)


def bulk_m2m(field_descriptor, pairs: Iterable[tuple[int, int]]) -> int:
    """Rows of an M2M through table from (source id, target id) pairs."""
    through = field_descriptor.through
    source, target = (
        field_descriptor.field.m2m_field_name(),
        field_descriptor.field.m2m_reverse_field_name(),
    )
    rows = [through(**{f"{source}_id": a, f"{target}_id": b}) for a, b in sorted(set(pairs))]
    through.objects.bulk_create(rows, batch_size=BATCH * 5)
    return len(rows)


def _tables() -> list[str]:
    tables = []
    for label in APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            tables.append(model._meta.db_table)
    return tables


def has_data() -> bool:
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {connection.ops.quote_name(table)})")  # noqa: S608
            if cursor.fetchone()[0]:
                return True
    return False


def wipe() -> None:
    """Empty every table of the generated apps (and their audit entries)."""
    from django.contrib.contenttypes.models import ContentType

    from portal.core.models import AuditEntry

    names = ", ".join(connection.ops.quote_name(t) for t in _tables())
    with connection.cursor() as cursor:
        # Django's foreign keys are deferred: check pending rows now, or TRUNCATE refuses.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    AuditEntry.objects.filter(
        content_type__in=ContentType.objects.filter(app_label__in=APPS)
    ).delete()


def reference_date() -> date:
    """1 July of the current year: fixed, so a seed gives the same rows all year."""
    return date(timezone.localdate().year, 7, 1)


def generate(*, years: int = 10, seed: int = 0, scale: float = 1.0, force: bool = False):
    """Fill the database; the context returned holds the row counts and the time per app."""
    from bench.dataset import dues, events, infodoc, members, newsletter, publications

    if years < 1 or scale <= 0:
        raise DatasetError("years must be at least 1 and scale positive.")
    today = reference_date()
    context = Context(
        rng=random.Random(seed),  # noqa: S311 - reproducible data, not secrets
        fake=french_faker(seed),
        years=list(range(today.year - years + 1, today.year + 1)),
        today=today,
        scale=scale,
    )
    with transaction.atomic():
        if has_data():
            if not force:
                raise DatasetError(
                    "La base contient déjà des données (adhérents, événements, publications, "
                    "info-doc ou lettre) : relancez avec --force pour les supprimer et les "
                    "remplacer par le jeu généré. / The database already holds data: use "
                    "--force to delete it and replace it with the generated dataset."
                )
            wipe()
        for module in (members, dues, events, publications, infodoc, newsletter):
            started = monotonic()
            module.generate(context)
            context.timings[module.__name__.rsplit(".", 1)[-1]] = monotonic() - started
    return context
