from django.urls import path

from publications import views
from publications.feeds import LatestPublicationsFeed

app_name = "publications"

urlpatterns = [
    path("", views.publication_list_view, name="list"),
    path("flux.xml", LatestPublicationsFeed(), name="feed"),
    path("<slug:slug>/", views.publication_detail_view, name="detail"),
    path("<slug:slug>/telecharger/", views.publication_download, name="download"),
    path("<slug:slug>/media/", views.publication_media, name="media"),
]
