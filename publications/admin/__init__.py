"""The staff back office of the publications app (registered on the default admin site)."""

from publications.admin import publications

__all__ = ["publications"]
