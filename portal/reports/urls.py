from django.urls import path

from portal.reports.views import dashboard as views
from portal.reports.views import exports as views_exports

app_name = "reports"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("rapports/<int:year>/construire/", views.report_build, name="build"),
    path("rapports/<int:year>/progression/", views.report_progress, name="progress"),
    path("rapports/<int:year>/rapport-activite.pdf", views.report_download, name="download"),
    path("rapports/<int:year>/chiffres.xlsx", views_exports.figures_xlsx, name="xlsx"),
    path("rapports/<int:year>/<slug:table>.csv", views_exports.table_csv, name="csv"),
]
