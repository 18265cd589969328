from django.urls import path

from portal.core.views import files as views_files
from portal.core.views import pages as views

app_name = "core"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("mentions-legales/", views.LegalNoticeView.as_view(), name="legal_notice"),
    path("confidentialite/", views.PrivacyView.as_view(), name="privacy"),
    path("accessibilite/", views.AccessibilityView.as_view(), name="accessibility"),
    path("plan-du-site/", views.SiteMapView.as_view(), name="site_map"),
    path("theme.css", views.theme_css, name="theme_css"),
    path("fichiers/<path:name>", views_files.private_file, name="private_file"),
]
