from django.urls import path

from newsletter import views

app_name = "newsletter"

urlpatterns = [
    path("", views.ArchiveView.as_view(), name="archive"),
]
