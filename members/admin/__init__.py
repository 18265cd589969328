"""The staff back office of the members app (registered on the default admin site)."""

from members.admin import billing, campaigns, directory, memberships

__all__ = ["billing", "campaigns", "directory", "memberships"]
