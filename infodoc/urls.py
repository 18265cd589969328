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
