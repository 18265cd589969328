from django.urls import path

from infodoc import views

app_name = "infodoc"

urlpatterns = [
    path("", views.InfodocView.as_view(), name="index"),
]
