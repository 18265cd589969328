from django.urls import include, path

from newsletter import webhooks
from newsletter.views import archive, subscription

app_name = "newsletter"

urlpatterns = [
    path("", archive.ArchiveView.as_view(), name="archive"),
    path("<int:number>/", archive.IssueView.as_view(), name="issue"),
    path("<int:number>/resonances-<int:pdf_number>.pdf", archive.issue_pdf, name="issue_pdf"),
    path("inscription/", subscription.subscribe, name="subscribe"),
    path("inscription/envoyee/", subscription.subscribe_done, name="subscribe_done"),
    path("inscription/confirmation/<str:token>/", subscription.confirm, name="confirm"),
    path("desinscription/<str:token>/", subscription.unsubscribe, name="unsubscribe"),
    path("preferences/<str:token>/", subscription.preferences, name="preferences"),
    # Bounce and complaint webhooks of the mail provider (django-anymail).
    path("suivi/", include(webhooks.tracking_urlpatterns())),
]
