from django.urls import path

from events import views
from events.feeds import AgendaFeed

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
