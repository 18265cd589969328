"""The questionnaire after a session; included by portal.urls under /agenda/evaluation/."""

from django.urls import path

from events.views import evaluation as views_evaluation

app_name = "events_evaluation"

urlpatterns = [
    path("merci/", views_evaluation.evaluation_thanks_view, name="thanks"),
    path("<str:token>/", views_evaluation.evaluation_form_view, name="form"),
]
