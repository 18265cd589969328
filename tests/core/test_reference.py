"""Themes and départements kept in each process while the public content is unchanged."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.core import pagecache
from portal.core.models import Department, Theme
from portal.core.reference import reference

pytestmark = pytest.mark.django_db


def _queries_of_reference() -> int:
    with CaptureQueriesContext(connection) as queries:
        reference()
    return len(queries)


def test_the_reference_is_read_once_then_kept():
    Theme.objects.create(name="Tiers-lieux", slug="tiers-lieux")

    assert _queries_of_reference() == 2
    assert _queries_of_reference() == 0
    assert "tiers-lieux" in [theme.key for theme in reference().themes]


def test_a_write_in_this_process_is_seen_at_once():
    reference()
    theme = Theme.objects.create(name="Friches urbaines", slug="friches")
    Department.objects.create(code="2A", name="Corse-du-Sud")

    kept = reference()

    assert kept.theme_pk("friches") == theme.pk
    assert ("2A", "Corse-du-Sud (2A)") in kept.department_choices()
    theme.delete()
    assert reference().theme_pk("friches") is None


def test_a_change_committed_by_another_process_is_read_again():
    reference()
    # Another process's commit moves the page cache's version on (portal.core.pagecache).
    pagecache.redis_client().incr(pagecache.VERSION_KEY)

    assert _queries_of_reference() == 2


def test_an_entry_keeps_its_name_and_its_folded_words():
    Department.objects.create(code="2A", name="Corse-du-Sud")
    Theme.objects.create(name="Habitant·es et Œuvres", slug="habitants-oeuvres")

    department = next(d for d in reference().departments if d.key == "2A")
    theme = next(t for t in reference().themes if t.key == "habitants-oeuvres")

    assert (department.label, department.name) == ("Corse-du-Sud (2A)", "Corse-du-Sud")
    assert (theme.label, theme.name) == ("Habitant·es et Œuvres", "Habitant·es et Œuvres")
    assert theme.words == ("habitant", "et", "oeuvre")
