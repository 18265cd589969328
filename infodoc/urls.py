"""The info-doc pages: the public service under /infodoc/ and the member's own requests under
/espace/ (each included by portal.urls)."""

from django.urls import path

from infodoc.views import public as views

app_name = "infodoc"

urlpatterns = [
    path("", views.index, name="index"),
    path("merci/", views.done, name="done"),
    path("suivi/<str:token>/", views.follow, name="follow"),
    path("questions-reponses/", views.qa_list, name="qa_list"),
    path("questions-reponses/<int:pk>-<slug:slug>/", views.qa_detail, name="qa_detail"),
]

space_urlpatterns = (
    [
        path("demandes/", views.space_requests, name="requests"),
        path("demandes/<str:reference>/", views.space_request, name="request"),
    ],
    "infodoc_space",
)
