"""The whole demo, loaded once for the tests of this package (once per test session).

`manage.py load_demo --force` (DEBUG is off in tests) fills the test database inside a
transaction that stays open while this package's tests run and is rolled back after the
last one, the clock frozen at an ordinary instant: each test runs in a savepoint of its own
(`django_db`), so what a test changes is gone for the next. The package scope ends the
transaction and the frozen clock before any other test runs. Tests that load only a part
of the demo, or load it at other instants (tests/demo/test_clock.py), stay outside.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

# What the demo loads depends on the day and the hour: a fixed, ordinary instant.
NOW = datetime(2026, 11, 18, 14, 0, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture(scope="package")
def whole_demo(django_db_setup, django_db_blocker) -> date:
    """The day the demo was loaded on (the clock stays there)."""
    with (
        time_machine.travel(NOW, tick=False),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        call_command("load_demo", force=True, stdout=io.StringIO())
        yield timezone.localdate()
        transaction.set_rollback(True)
