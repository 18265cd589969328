"""The events app's pages: the agenda under /agenda/, the questionnaire after a session under
/agenda/evaluation/ and the member's registrations under /espace/ (each included by portal.urls)."""

from django.urls import path

from events import views
from events.feeds import AgendaFeed
from events.views import evaluation, space

app_name = "events"

urlpatterns = [
    path("", views.agenda, name="agenda"),
    path("agenda.ics", views.agenda_ics, name="agenda_ics"),
    path("flux.xml", AgendaFeed(), name="feed"),
    path("passees/", views.past_actions_list, name="past_actions"),
    path("annulation/<str:token>/", views.registration_cancel, name="registration_cancel"),
    path("annulation-cycle/<str:token>/", views.cycle_cancel, name="cycle_cancel"),
    path("<slug:slug>/", views.action_detail, name="action"),
    path("<slug:slug>/calendrier.ics", views.action_ics, name="action_ics"),
    path("<slug:slug>/inscription/", views.registration_done, name="registration_done"),
]

evaluation_urlpatterns = (
    [
        path("merci/", evaluation.evaluation_thanks_view, name="thanks"),
        path("<str:token>/", evaluation.evaluation_form_view, name="form"),
    ],
    "events_evaluation",
)

space_urlpatterns = (
    [
        path("inscriptions/", space.registrations, name="registrations"),
        path(
            "inscriptions/<int:pk>/annuler/",
            space.registration_cancel_view,
            name="registration_cancel",
        ),
        path("participations/", space.participation, name="participation"),
        path("attestations/<int:action_id>.pdf", space.certificate_pdf, name="certificate"),
    ],
    "events_space",
)
