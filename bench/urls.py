"""The portal's URLs plus the load benchmark's references: a trivial view, and the
site's layout alone (what every page costs before its content)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def trivial(request):
    """Goes through the same middleware as every page, renders nothing, reads nothing."""
    return HttpResponse("ok")


def layout(request):
    """base.html with an empty main: the header, menus and footer of every page."""
    return render(request, "base.html")


urlpatterns = [
    path("__bench__/trivial/", trivial),
    path("__bench__/layout/", layout),
    *portal_urlpatterns,
]
