"""The attendance certificates of an action in the back office: each person's PDF, all of
them as a zip, and « send it by email » behind a confirmation page. Mounted under the
action's admin URL; the list with a link per person is on the action's change page."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from events.models import Action, CertificateMailing
from events.selectors.certificates import (
    Certificate,
    action_certificates,
    certificate_get,
)
from events.services.certificates import certificate_mailing_request
from members.models import Person


def _certificate_or_404(action_id: int, person_id: int) -> Certificate:
    certificate = certificate_get(action_id=action_id, person_id=person_id)
    if certificate is None:
        raise Http404(_("This person attended no session of this action."))
    return certificate


@require_GET
def certificate_view(request, object_id: int, person_id: int):
    if not request.user.has_perm("events.view_action"):
        raise PermissionDenied
    from events.documents import certificate_response

    return certificate_response(_certificate_or_404(object_id, person_id))


@require_GET
def certificates_zip_view(request, object_id: int):
    """Every participant's certificate (one PDF each), as one zip."""
    from events.documents import certificates_zip

    if not request.user.has_perm("events.view_action"):
        raise PermissionDenied
    action = get_object_or_404(Action, pk=object_id)
    certificates = action_certificates(action_id=action.pk)
    if not certificates:
        messages.warning(request, _("Nobody is recorded present at this action yet."))
        return HttpResponseRedirect(reverse("admin:events_action_change", args=[action.pk]))
    filename = f"attestations-{action.slug[:60]}-{timezone.localdate():%Y-%m-%d}.zip"
    response = HttpResponse(certificates_zip(certificates), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _request_key(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError):
        return None


@require_http_methods(["GET", "POST"])
def certificate_mail_view(request, object_id: int, person_id: int, *, model_admin):
    """GET: what will be sent, to whom, and a button; POST: record it (once per form)."""
    if not request.user.has_perm("events.change_action"):
        raise PermissionDenied
    action = get_object_or_404(Action, pk=object_id)
    person = get_object_or_404(Person, pk=person_id)
    certificate = _certificate_or_404(action.pk, person.pk)
    back = reverse("admin:events_action_change", args=[action.pk])
    if request.method == "POST":
        key = _request_key(request.POST.get("request_key", ""))
        if key is None:
            return HttpResponseBadRequest(_("This form is not valid: open it again."))
        try:
            mailing, created = certificate_mailing_request(
                action=action, person=person, request_key=key, actor=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if created:
                text = _("The attendance certificate of %(person)s is on its way to %(email)s.")
                messages.success(request, text % {"person": person, "email": mailing.recipient})
            else:
                text = _("This request was already recorded: the certificate is sent only once.")
                messages.info(request, text)
        return HttpResponseRedirect(back + "#certificates")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": action,
        "title": _("Send the attendance certificate of %(person)s") % {"person": person},
        "certificate": certificate,
        "person": person,
        "request_key": uuid.uuid4(),
        "mailings": CertificateMailing.objects.filter(action=action, person=person)[:5],
        "back": back,
        "has_view_permission": True,
    }
    return TemplateResponse(request, "admin/events/action/certificate_mail.html", context)
