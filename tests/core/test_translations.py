"""The site speaks French: every marked string has a French translation."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib

BASE_DIR = Path(__file__).resolve().parents[2]
CATALOGUE = BASE_DIR / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def test_french_catalogue_has_no_untranslated_or_fuzzy_entry():
    catalogue = polib.pofile(str(CATALOGUE))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"
    assert not catalogue.metadata_is_fuzzy


def test_every_string_marked_in_the_code_is_in_the_catalogue(tmp_path):
    """Re-extract the messages into a copy of the project; no msgid may be new."""
    assert shutil.which("xgettext"), "GNU gettext is needed (apt-get install gettext)"
    copy = tmp_path / "project"
    shutil.copytree(
        BASE_DIR,
        copy,
        ignore=shutil.ignore_patterns(".venv", "var", ".git", "node_modules", "__pycache__"),
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "fr", "--no-obsolete",
         "--ignore", "tests/*"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": os.environ["PATH"], "DEBUG": "1",
             "DATABASE_URL": os.environ["DATABASE_URL"], "REDIS_URL": os.environ["REDIS_URL"]},
    )  # fmt: skip
    extracted = polib.pofile(str(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in extracted.untranslated_entries()]
    missing += [entry.msgid for entry in extracted.fuzzy_entries()]  # msgmerge's guesses
    assert not missing, f"run `make messages` and translate: {missing}"
