"""The info-doc pages of the member space, included under /espace/."""

from django.urls import path

from infodoc.views import public as views

app_name = "infodoc_space"

urlpatterns = [
    path("demandes/", views.space_requests, name="requests"),
    path("demandes/<str:reference>/", views.space_request, name="request"),
]
