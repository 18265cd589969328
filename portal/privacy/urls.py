"""The member's own data, included under /espace/: no id nor address in any URL."""

from django.urls import path

from portal.privacy import views

app_name = "privacy_space"

urlpatterns = [
    path("mes-donnees/", views.space_data, name="data"),
    path("mes-donnees/mes-donnees.json", views.space_data_json, name="data_json"),
    path("mes-donnees/mes-donnees.pdf", views.space_data_pdf, name="data_pdf"),
]
