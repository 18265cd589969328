"""RSS 2.0 feed of the agenda's upcoming sessions (/agenda/flux.xml).

Texts are given as plain text: the feed generator escapes them, once.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import feedgenerator, timezone
from django.utils.formats import date_format
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _

from events.models import Session
from events.selectors.agenda import agenda_sessions
from portal.core.models import SiteSettings
from portal.core.text import xml_clean

FEED_SIZE = 50


class AgendaFeed(Feed):
    """The next sessions of the public agenda, soonest first."""

    feed_type = feedgenerator.Rss201rev2Feed
    language = "fr"

    def title(self) -> str:
        return xml_clean(_("%(site)s: agenda") % {"site": SiteSettings.load().name})

    def description(self) -> str:
        return xml_clean(_("The next sessions of %(site)s.") % {"site": SiteSettings.load().name})

    def link(self) -> str:
        return settings.SITE_URL + reverse("events:agenda")

    def feed_url(self) -> str:
        return settings.SITE_URL + reverse("events:feed")

    def items(self) -> QuerySet[Session]:
        # Each item tells its action's description and themes.
        return agenda_sessions().defer(None).prefetch_related("action__themes")[:FEED_SIZE]

    def item_title(self, item: Session) -> str:
        when = capfirst(date_format(timezone.localtime(item.starts_at), "DATE_FORMAT"))
        title = f"{item.action.title} — {item.title}" if item.title else item.action.title
        return xml_clean(f"{title} ({when})")

    def item_description(self, item: Session) -> str:
        action = item.action
        # Plain text already (the pages show it escaped): given as it is.
        text = action.summary or Truncator(" ".join(action.description.split())).words(60)
        place = ", ".join(
            part for part in (item.venue, item.commune.name if item.commune else "") if part
        )
        if item.is_online and not place:
            place = _("Online")
        return xml_clean(" — ".join(part for part in (text, place) if part))

    def item_link(self, item: Session) -> str:
        return settings.SITE_URL + item.action.get_absolute_url()

    def item_guid(self, item: Session) -> str:
        return f"{settings.SITE_URL}{item.action.get_absolute_url()}#session-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Session):
        return item.action.updated_at

    def item_categories(self, item: Session) -> list[str]:
        labels = [str(item.action.get_format_display())]
        labels += [theme.name for theme in item.action.themes.all()]
        return [xml_clean(label) for label in labels]
