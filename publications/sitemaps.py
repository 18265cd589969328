from django.contrib.sitemaps import Sitemap

from publications.models import Publication


class PublicationSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Publication.objects.published().order_by("-pk").only("slug", "updated_at")

    def lastmod(self, publication: Publication):
        return publication.updated_at
