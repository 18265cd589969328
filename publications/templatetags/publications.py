"""Publications shown on pages of other apps (the home page, the pages of an action) and
the parts of a publication's card."""

from django import template
from django.core.cache import caches
from django.template.loader import render_to_string

from publications.selectors.catalogue import publication_latest, publications_for_action

register = template.Library()

# The parts of a card (publications/partials.html#card) that a search does not change;
# "themes" too where the card shows them.
CARD_PARTS = ("thumbnail", "url", "meta", "summary")
# How long a card's parts are kept at most, as the template fragments are.
CARD_PARTS_SECONDS = 300


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


@register.simple_tag(takes_context=True)
def publication_card_parts(context, publication, show_themes: bool = False) -> dict[str, str]:
    """{part: its HTML} for the parts of a publication's card that a search does not
    change, kept per publication while the content is unchanged (fragments cache): one
    lookup per card, where a {% cache %} tag per part cost one each."""
    names = (*CARD_PARTS, "themes") if show_themes else CARD_PARTS
    kept_as = "card_with_themes" if show_themes else "card"
    key = f"publication_{kept_as}:{context['content_version']}:{publication.pk}"
    fragments = caches["fragments"]
    parts = fragments.get(key)
    if parts is None:
        parts = {
            name: render_to_string(
                f"publications/partials.html#card-{name}", {"publication": publication}
            )
            for name in names
        }
        fragments.set(key, parts, CARD_PARTS_SECONDS)
    return parts
