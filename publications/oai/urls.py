"""The OAI-PMH endpoint; the project includes it at "oai" so its base URL is /oai."""

from django.urls import path

from publications.oai import views

app_name = "oai"

urlpatterns = [
    path("", views.endpoint, name="endpoint"),
]
