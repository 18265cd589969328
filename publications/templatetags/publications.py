"""Publications shown on pages of other apps: the home page, the pages of an action."""

from django import template

from publications.selectors.catalogue import publication_latest, publications_for_action

register = template.Library()


@register.inclusion_tag("publications/includes/latest.html", takes_context=True)
def latest_publications(context, limit: int = 3) -> dict:
    # The cards keep parts under the content version, which an inclusion tag's template
    # does not get from the context processors.
    return {
        "publications": publication_latest(limit=limit),
        "content_version": context["content_version"],
    }


@register.simple_tag
def action_publications(action) -> list:
    """The published publications and replays that came out of an action (one query)."""
    return publications_for_action(action_id=action.pk)
