from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from events.sitemaps import ActionSitemap
from portal.core import views as core_views
from portal.core.sitemaps import StaticPagesSitemap

SITEMAPS = {
    "pages": StaticPagesSitemap,
    "actions": ActionSitemap,
}

admin.site.site_header = _("Back office")
admin.site.site_title = _("Portal back office")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", include("portal.core.urls")),
    path("agenda/evaluation/", include("events.urls_evaluation")),
    path("agenda/", include("events.urls")),
    path("publications/", include("publications.urls")),
    path("resonances/", include("newsletter.urls")),
    path("infodoc/", include("infodoc.urls")),
    path("", include("members.urls")),
    path("espace/", include("events.urls_space")),
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
