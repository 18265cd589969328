"""The portal's URLs plus the load benchmark's references: a trivial view, the site's
layout alone (what every page costs before its content), and a minimal write (what
every public form costs before its own work)."""

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from portal.core.models import AuditEntry
from portal.urls import urlpatterns as portal_urlpatterns


def trivial(request):
    """Goes through the same middleware as every page, renders nothing, reads nothing."""
    return HttpResponse("ok")


def layout(request):
    """base.html with an empty main: the header, menus and footer of every page."""
    return render(request, "base.html")


class _AddressForm(forms.Form):
    email = forms.EmailField()


@require_POST
def minimal_write(request):
    """The least a public form does: the CSRF check (middleware), a form validated, one
    row inserted (an audit entry, which the benchmark deletes afterwards), a redirect."""
    form = _AddressForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(AuditEntry),
        object_id="0",
        object_repr=form.cleaned_data["email"],
        action="bench",
    )
    return redirect("/")


urlpatterns = [
    path("__bench__/trivial/", trivial),
    path("__bench__/layout/", layout),
    path("__bench__/write/", minimal_write),
    *portal_urlpatterns,
]
