"""Compile the gettext catalogues (.po → .mo) with polib, so no gettext tools are needed to run."""

from __future__ import annotations

from pathlib import Path

import polib

BASE_DIR = Path(__file__).resolve().parent.parent


def catalogues() -> list[Path]:
    return sorted((BASE_DIR / "locale").glob("*/LC_MESSAGES/*.po"))


def compile_catalogues() -> list[Path]:
    """Write each .mo next to its .po when missing or older; return the files written."""
    written = []
    for po_path in catalogues():
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written


if __name__ == "__main__":
    for path in compile_catalogues():
        print(f"compiled {path.relative_to(BASE_DIR)}")
