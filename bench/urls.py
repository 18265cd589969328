"""The portal's URLs plus a trivial view, the reference of the load benchmark."""

from django.http import HttpResponse
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def trivial(request):
    """Goes through the same middleware as every page, renders nothing, reads nothing."""
    return HttpResponse("ok")


urlpatterns = [path("__bench__/trivial/", trivial), *portal_urlpatterns]
