"""RSS 2.0 feed of the latest publications (/publications/flux.xml)."""

from __future__ import annotations

from datetime import datetime, time

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import feedgenerator, timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from portal.core.models import SiteSettings
from portal.core.text import html_text
from publications.models import Publication
from publications.oai.records import clean_text, oai_identifier, public_url

FEED_SIZE = 30


class LatestPublicationsFeed(Feed):
    """The latest published publications, newest first, with their PDF as enclosure."""

    feed_type = feedgenerator.Rss201rev2Feed
    language = "fr"

    def title(self) -> str:
        return clean_text(_("%(site)s: publications") % {"site": SiteSettings.load().name})

    def description(self) -> str:
        return clean_text(
            _("The latest publications of %(site)s.") % {"site": SiteSettings.load().name}
        )

    def link(self) -> str:
        return settings.SITE_URL + reverse("publications:list")

    def feed_url(self) -> str:
        return settings.SITE_URL + reverse("publications:feed")

    def items(self) -> QuerySet[Publication]:
        return Publication.objects.published().prefetch_related("themes")[:FEED_SIZE]

    def item_title(self, item: Publication) -> str:
        return clean_text(item.title)

    def item_description(self, item: Publication) -> str:
        """The summary, or the beginning of the body, as plain text: the feed generator
        escapes it, once (« l'ouest », never « l&amp;#x27;ouest »)."""
        text = html_text(item.summary) or Truncator(html_text(item.body)).words(60)
        return clean_text(text)

    def item_link(self, item: Publication) -> str:
        return public_url(item)

    def item_guid(self, item: Publication) -> str:
        # Stable even if the slug changes; the same identifier as in OAI-PMH.
        return oai_identifier(item.pk)

    item_guid_is_permalink = False

    def item_pubdate(self, item: Publication) -> datetime:
        return timezone.make_aware(datetime.combine(item.published_on, time.min))

    def item_updateddate(self, item: Publication) -> datetime:
        return item.updated_at

    def item_author_name(self, item: Publication) -> str | None:
        return clean_text(", ".join(item.author_names)) or None

    def item_categories(self, item: Publication) -> list[str]:
        labels = [str(item.get_kind_display())] + [theme.name for theme in item.themes.all()]
        return [clean_text(label) for label in labels]

    def item_enclosures(self, item: Publication) -> list[feedgenerator.Enclosure]:
        """The audio or video of a podcast or replay, else the PDF (RSS allows one)."""
        if item.media_content_type:
            try:
                length = item.media_file.size
            except OSError:
                return []
            url = settings.SITE_URL + reverse("publications:media", args=[item.slug])
            return [feedgenerator.Enclosure(url, str(length), item.media_content_type)]
        if not item.file:
            return []
        try:
            length = item.file.size
        except OSError:  # the file is missing from storage: no enclosure rather than a 500
            return []
        # The download view serves the file (and counts the download).
        url = settings.SITE_URL + reverse("publications:download", args=[item.slug])
        return [feedgenerator.Enclosure(url, str(length), "application/pdf")]
