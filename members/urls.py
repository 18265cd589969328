from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("adherents/", views.PublicListView.as_view(), name="public_list"),
    path("espace/", views.MemberSpaceView.as_view(), name="space"),
]
