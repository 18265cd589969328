from django.contrib.sitemaps import Sitemap

from events.models import Action


class ActionSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Action.objects.public().order_by("-pk").only("slug", "updated_at")

    def lastmod(self, action: Action):
        return action.updated_at
