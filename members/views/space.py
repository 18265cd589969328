"""The member space ("Mon espace") of the members app: thin.

Every member-space view gets the signed-in user's Person and reads through the
scoped selectors of members.selectors.space, so another member's documents and
people answer 404.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from members.forms import PersonDetailsForm, PersonInviteForm
from members.selectors.memberships import membership_status
from members.selectors.space import (
    space_credit_notes,
    space_invoices,
    space_memberships,
    space_payments,
    space_people,
)
from members.services.space import person_details_update, person_invite
from portal.core.files import file_response
from portal.core.space import space_view

logger = logging.getLogger(__name__)


# kind (as members.documents names it) → the scoped queryset of that kind of document
DOCUMENT_SELECTORS = {
    "invoice": space_invoices,
    "credit_note": space_credit_notes,
    "payment": space_payments,
}


def _space_context(person, **extra) -> dict:
    return {"person": person, "organisation": person.organisation, **extra}


def _with_status(memberships) -> list:
    memberships = list(memberships)
    for membership in memberships:
        membership.derived_status = membership_status(membership)
    return memberships


@space_view("home")
def space(request, *, person):
    year = timezone.localdate().year
    context = _space_context(
        person,
        year=year,
        memberships=_with_status(space_memberships(person=person, year=year)),
        invoices=space_invoices(person=person),
    )
    return render(request, "members/space.html", context)


@space_view("dues")
def space_dues(request, *, person):
    context = _space_context(
        person,
        memberships=_with_status(space_memberships(person=person)),
        invoices=space_invoices(person=person),
        credit_notes=space_credit_notes(person=person),
        payments=space_payments(person=person),
    )
    return render(request, "members/space_dues.html", context)


@space_view("dues", unlinked_404=True)
def document_download(request, *, person, kind: str, number: str):
    """The PDF of an invoice, credit note or receipt of the member, rendered if missing."""
    document = get_object_or_404(DOCUMENT_SELECTORS[kind](person=person), number=number)
    if not document.pdf:
        from members.documents import document_attach_pdf

        document_attach_pdf(kind=kind, pk=document.pk)
        document.refresh_from_db(fields=["pdf"])
    if not document.pdf:
        raise Http404
    return file_response(
        document.pdf, as_attachment=True, filename=f"{number}.pdf", content_type="application/pdf"
    )


@space_view("people", organisation_required=True)
def space_people_list(request, *, person):
    context = _space_context(person, people=space_people(organisation_id=person.organisation_id))
    return render(request, "members/space_people.html", context)


@space_view("people", organisation_required=True)
def space_person(request, *, person, pk: int):
    colleague = get_object_or_404(space_people(organisation_id=person.organisation_id), pk=pk)
    return render(request, "members/space_person.html", _space_context(person, colleague=colleague))


@require_http_methods(["GET", "POST"])
@space_view("people", organisation_required=True)
def space_invite(request, *, person):
    if not person.is_member_contact:
        raise PermissionDenied
    form = PersonInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invited = person_invite(
                organisation=person.organisation,
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                invited_by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s is invited: an email with a link to choose a password is on its way.")
                % {"name": invited},
            )
            return redirect("members:space_people")
    return render(request, "members/space_invite.html", _space_context(person, form=form))


@require_http_methods(["GET", "POST"])
@space_view("details")
def space_details(request, *, person):
    form = PersonDetailsForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            person_details_update(person=person, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your details are saved."))
            return redirect("members:space_details")
    return render(request, "members/space_details.html", _space_context(person, form=form))
