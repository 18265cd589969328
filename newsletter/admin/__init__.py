"""The newsletter's back office: issues (composition, preview, sending), subscribers, deliveries."""

from newsletter.admin import deliveries, issues, subscribers

__all__ = ["deliveries", "issues", "subscribers"]
