"""`manage.py backup` and `manage.py restore`: the demo comes back whole into a fresh database
on the same PostgreSQL server, and a damaged file or a database in use are refused."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation
from psycopg import sql

from demo import load as demo_load
from demo.reports import demo_year
from members.documents import document_attach_pdf
from members.models import Invoice
from newsletter.models import Subscriber
from portal.core import pagecache
from portal.core.backup import BackupError, pg_tool
from portal.reports.selectors import annual_figures

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def default_database(name: str):
    """Django's connection, and so the commands and the selectors, on database `name`."""
    config = connection.settings_dict
    original = config["NAME"]
    connection.close()
    config["NAME"] = name
    _forget_cached_reads()
    try:
        yield
    finally:
        connection.close()
        config["NAME"] = original
        _forget_cached_reads()


def _forget_cached_reads() -> None:
    """What the portal keeps in Redis or in the process (as tests/conftest.py's _empty_cache)
    was read from the other database."""
    caches["default"].clear()
    caches["fragments"].clear()
    pagecache._live_kept.clear()


@pytest.fixture
def fresh_database():
    """The name of a new empty database on the test database's server, dropped afterwards."""
    config = connection.settings_dict
    name = f"restore_{uuid.uuid4().hex[:12]}"
    server = {
        "host": config["HOST"] or None,
        "port": config["PORT"] or None,
        "user": config["USER"] or None,
        "password": config["PASSWORD"] or None,
        "dbname": "postgres",
    }
    with psycopg.connect(**server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(**server, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def snapshot(media_root: Path) -> dict:
    """What must survive: the demo year's figures, each invoice's PDF, the subscribers."""
    invoices = Invoice.objects.order_by("number")
    return {
        "figures": annual_figures(year=demo_year()),
        "invoice_pdfs": {
            invoice.number: hashlib.sha256((media_root / invoice.pdf.name).read_bytes()).digest()
            for invoice in invoices
        },
        "subscribers": list(Subscriber.objects.order_by("pk").values()),
        "subscriber_themes": list(Subscriber.themes.through.objects.order_by("pk").values_list()),
    }


def test_the_demo_is_restored_whole_into_a_fresh_database(
    media_root, tmp_path, fresh_database, settings
):
    demo_load()
    for pk in Invoice.objects.values_list("pk", flat=True):
        document_attach_pdf(kind="invoice", pk=pk)  # the worker's job after `make run`
    before = snapshot(media_root)
    assert before["figures"].has_data and before["subscribers"]
    assert len(before["invoice_pdfs"]) >= 10
    backup = tmp_path / "backups" / "portal.tar"

    call_command("backup", output=backup, stdout=io.StringIO())

    settings.MEDIA_ROOT = restored_media = tmp_path / "restored-media"
    with default_database(fresh_database):
        out = io.StringIO()
        call_command("restore", backup, stdout=out)
        assert "Sauvegarde du" in out.getvalue()
        after = snapshot(restored_media)
    assert after == before
    public_and_private = {
        path.relative_to(media_root) for path in media_root.rglob("*") if path.is_file()
    }
    assert {
        path.relative_to(restored_media) for path in restored_media.rglob("*") if path.is_file()
    } == public_and_private


@pytest.fixture
def small_backup(media_root, tmp_path) -> Path:
    """A backup of the migrated test database and one uploaded file."""
    (media_root / "documents" / "2026").mkdir(parents=True)
    (media_root / "documents" / "2026" / "facture-2026-0001.pdf").write_bytes(b"%PDF-1.7 ...")
    path = tmp_path / "small.tar"
    call_command("backup", output=path, stdout=io.StringIO())
    return path


def test_restore_refuses_a_database_that_holds_tables(small_backup, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    with pytest.raises(CommandError) as refused:
        call_command("restore", small_backup, stdout=io.StringIO())
    assert "contient déjà des tables" in str(refused.value)
    assert "--force" in str(refused.value)
    assert not (tmp_path / "empty-media").exists()


def test_restore_refuses_a_media_folder_that_holds_files(small_backup, fresh_database):
    with default_database(fresh_database), pytest.raises(CommandError) as refused:
        call_command("restore", small_backup, stdout=io.StringIO())
    assert "contient déjà des fichiers" in str(refused.value)


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _altered(path: Path) -> None:
    """One byte of the database dump changed (its checksum no longer matches)."""
    with tarfile.open(path) as archive:
        offset = archive.getmember("database.dump").offset_data + 100
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def _not_a_backup(path: Path) -> None:
    path.write_text("pas une sauvegarde")


@pytest.mark.parametrize("damage", [_truncated, _altered, _not_a_backup])
def test_a_damaged_backup_is_refused_and_changes_nothing(
    small_backup, fresh_database, settings, tmp_path, damage
):
    damage(small_backup)
    settings.MEDIA_ROOT = target_media = tmp_path / "restored-media"
    with default_database(fresh_database):
        with pytest.raises(CommandError) as refused:
            call_command("restore", small_backup, stdout=io.StringIO())
        assert not connection.introspection.table_names()
    assert "n\u2019est pas une sauvegarde complète" in str(refused.value)
    assert "rien n\u2019a été restauré" in str(refused.value)
    assert not any(target_media.iterdir())
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []


def test_the_manifest_lists_every_file_with_its_checksum(small_backup):
    with tarfile.open(small_backup) as archive:
        names = archive.getnames()
        manifest = json.load(archive.extractfile("manifest.json"))
    assert names == ["database.dump", "media/documents/2026/facture-2026-0001.pdf", "manifest.json"]
    pdf = manifest["files"]["media/documents/2026/facture-2026-0001.pdf"]
    assert pdf == {"size": 12, "sha256": hashlib.sha256(b"%PDF-1.7 ...").hexdigest()}
    assert manifest["postgresql"] == connection.pg_version
    assert "members.0001_initial" in manifest["migrations"]


def test_the_daily_backups_keep_the_newest(settings, media_root, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_KEEP = 2
    settings.BACKUP_DIR.mkdir()
    for day in ("20261101", "20261102", "20261103"):
        (settings.BACKUP_DIR / f"portal-{day}-030000.tar").write_bytes(b"old")
    call_command("backup", stdout=io.StringIO())
    kept = sorted(path.name for path in settings.BACKUP_DIR.iterdir())
    assert len(kept) == 2 and kept[0] == "portal-20261103-030000.tar"
    assert tarfile.is_tarfile(settings.BACKUP_DIR / kept[1])


def test_a_backup_of_a_newer_portal_is_refused(small_backup, fresh_database, settings, tmp_path):
    newer = tmp_path / "newer.tar"
    with tarfile.open(small_backup) as source, tarfile.open(newer, "w") as target:
        for member in source:
            data = source.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest["migrations"].append("members.9999_from_the_future")
                data = json.dumps(manifest).encode()
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    with default_database(fresh_database):
        with pytest.raises(CommandError) as refused:
            call_command("restore", newer, stdout=io.StringIO())
        assert not connection.introspection.table_names()
    assert "members.9999_from_the_future" in str(refused.value)
    assert "version plus récente du portail" in str(refused.value)


def test_no_pg_dump_as_new_as_the_server_is_said_plainly():
    with translation.override("fr"), pytest.raises(BackupError) as refused:
        pg_tool("pg_dump", at_least=99)
    assert "PostgreSQL 99 demande pg_dump en version 99 ou plus récente" in str(refused.value)
    assert "postgresql-client-99" in str(refused.value)
