"""Publications shown on pages of other apps: the home page, the pages of an action."""

from django import template

from publications.selectors.catalogue import publication_latest, publications_for_action

register = template.Library()


@register.inclusion_tag("publications/includes/latest.html")
def latest_publications(limit: int = 3) -> dict:
    return {"publications": publication_latest(limit=limit)}


@register.simple_tag
def action_publications(action) -> list:
    """The published publications and replays that came out of an action (one query)."""
    return publications_for_action(action_id=action.pk)
