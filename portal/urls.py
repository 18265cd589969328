import re

from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from events import urls as events_urls
from events.sitemaps import ActionSitemap
from infodoc import urls as infodoc_urls
from infodoc.sitemaps import QuestionSitemap
from portal.core.files import PUBLIC_MEDIA_FOLDERS
from portal.core.sitemaps import StaticPagesSitemap
from portal.core.views import files as views_files
from portal.core.views import pages as core_views
from publications.sitemaps import PublicationSitemap

SITEMAPS = {
    "pages": StaticPagesSitemap,
    "actions": ActionSitemap,
    "publications": PublicationSitemap,
    "questions": QuestionSitemap,
}

admin.site.site_header = _("Back office")
admin.site.site_title = _("Portal back office")
admin.site.index_title = _("Administration")

urlpatterns = [
    # The site's logo and published publications' covers and thumbnails are public; every
    # other upload (invoices, receipts, reports) is private, served by core:private_file
    # once checked.
    re_path(
        rf"^media/(?P<folder>{'|'.join(map(re.escape, PUBLIC_MEDIA_FOLDERS))})/(?P<name>.+)$",
        views_files.public_media,
        name="public_media",
    ),
    path("", include("portal.core.urls")),
    path("agenda/evaluation/", include(events_urls.evaluation_urlpatterns)),
    path("agenda/", include("events.urls")),
    path("publications/", include("publications.urls")),
    path("oai", include("publications.oai.urls")),
    path("resonances/", include("newsletter.urls")),
    path("infodoc/", include("infodoc.urls")),
    path("", include("members.urls")),
    path("espace/", include(events_urls.space_urlpatterns)),
    path("espace/", include(infodoc_urls.space_urlpatterns)),
    path("espace/", include("portal.privacy.urls")),
    path("direction/", include("portal.reports.urls")),
    path("admin/", admin.site.urls),
    path("comptes/", include("allauth.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("robots.txt", core_views.robots_txt, name="robots_txt"),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
]
