"""The staff back office of the events app (registered on the default admin site)."""

from events.admin import actions, evaluations, registrations, sessions

__all__ = ["actions", "evaluations", "registrations", "sessions"]
