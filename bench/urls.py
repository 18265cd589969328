"""The portal's URLs plus the load benchmark's references: a trivial view, the site's
layout alone (what every page costs before its content), a minimal write (what every
public form costs before its own work) and the same with one transactional mail (what
every public form's write costs at least: each sends one)."""

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from portal.core.mail import mail_queue
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


def _row_insert(email: str) -> None:
    """One row (an audit entry, which the benchmark deletes afterwards)."""
    AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(AuditEntry),
        object_id="0",
        object_repr=email,
        action="bench",
    )


@require_POST
def minimal_write(request):
    """The least a public form does: the CSRF check (middleware), a form validated, one
    row inserted, a redirect."""
    form = _AddressForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    _row_insert(form.cleaned_data["email"])
    return redirect("/")


@require_POST
def minimal_mail_write(request):
    """minimal_write() and one plain-text mail to the address through the one durable path
    (portal.core.mail: recorded in the row's transaction, sent by the worker after commit)
    that every public form's confirmation or acknowledgement takes, without its templates."""
    form = _AddressForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    email = form.cleaned_data["email"]
    with transaction.atomic():
        _row_insert(email)
        mail_queue(EmailMessage("Bien reçu", "Votre message est bien arrivé.", to=[email]))
    return redirect("/")


urlpatterns = [
    path("__bench__/trivial/", trivial),
    path("__bench__/layout/", layout),
    path("__bench__/write/", minimal_write),
    path("__bench__/write-mail/", minimal_mail_write),
    *portal_urlpatterns,
]
