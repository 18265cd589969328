"""The events pages of the member space, under /espace/."""

from django.urls import path

from events.views import space as views_space

app_name = "events_space"

urlpatterns = [
    path("inscriptions/", views_space.registrations, name="registrations"),
    path(
        "inscriptions/<int:pk>/annuler/",
        views_space.registration_cancel_view,
        name="registration_cancel",
    ),
    path("participations/", views_space.participation, name="participation"),
    path("attestations/<int:action_id>.pdf", views_space.certificate_pdf, name="certificate"),
]
