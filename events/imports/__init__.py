"""Spreadsheet imports of the events app (portal.core.sheets): actions with their sessions,
then the attendance of many sessions at once. Both register themselves on import."""

from events.imports.actions import ActionImporter
from events.imports.attendance import AttendanceImporter

__all__ = ["ActionImporter", "AttendanceImporter"]
