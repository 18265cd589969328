from django.contrib.sitemaps import Sitemap

from infodoc.models import InfoRequest
from infodoc.selectors.public import published_questions


class QuestionSitemap(Sitemap):
    """The pages of the published Q&As."""

    changefreq = "monthly"

    def items(self):
        return published_questions().only("pk", "public_question", "updated_at").order_by("-pk")

    def location(self, question: InfoRequest) -> str:
        return question.get_public_url()

    def lastmod(self, question: InfoRequest):
        return question.updated_at
