from django.contrib.sitemaps import Sitemap
from django.urls import reverse


class StaticPagesSitemap(Sitemap):
    """The site's fixed public pages; each app adds a sitemap for its own objects."""

    changefreq = "weekly"

    def items(self) -> list[str]:
        return [
            "core:home",
            "events:agenda",
            "publications:list",
            "newsletter:archive",
            "infodoc:index",
            "infodoc:qa_list",
            "members:public_list",
            "core:legal_notice",
            "core:privacy",
            "core:accessibility",
            "core:site_map",
        ]

    def location(self, item: str) -> str:
        return reverse(item)
