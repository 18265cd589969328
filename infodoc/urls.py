"""The info-doc pages: the public service under /infodoc/ and the member's own requests under
/espace/ (each included by portal.urls)."""

from django.urls import path

from infodoc.views import public, space

app_name = "infodoc"

urlpatterns = [
    path("", public.index, name="index"),
    path("merci/", public.done, name="done"),
    path("suivi/<str:token>/", public.follow, name="follow"),
    path("questions-reponses/", public.qa_list, name="qa_list"),
    path("questions-reponses/<int:pk>-<slug:slug>/", public.qa_detail, name="qa_detail"),
]

space_urlpatterns = (
    [
        path("demandes/", space.space_requests, name="requests"),
        path("demandes/<str:reference>/", space.space_request, name="request"),
    ],
    "infodoc_space",
)
