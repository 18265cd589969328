"""Spreadsheet imports of the newsletter (portal.core.sheets): subscribers, then the past
issues of Résonances. Both register themselves on import."""

from newsletter.imports.issues import IssueImporter
from newsletter.imports.subscribers import SubscriberImporter

__all__ = ["IssueImporter", "SubscriberImporter"]
