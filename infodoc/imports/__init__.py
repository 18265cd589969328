"""Spreadsheet imports of the info-doc app (portal.core.sheets): the requests with their
history (requests.py checks a file, saving.py writes it, readers.py reads its cells)."""

from infodoc.imports.requests import InfoRequestImporter

__all__ = ["InfoRequestImporter"]
