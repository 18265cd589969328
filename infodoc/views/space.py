"""The member's own info-doc requests in the member space."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from infodoc.selectors.public import person_request_detail, person_requests
from infodoc.services.intake import follow_token
from infodoc.views.public import ANSWER_SHOWN
from portal.core.space import space_view


@require_GET
@space_view("infodoc")
def space_requests(request, *, person):
    context = {
        "person": person,
        "organisation": person.organisation,
        "requests": list(person_requests(person=person)),
    }
    return render(request, "infodoc/space_requests.html", context)


@require_GET
@space_view("infodoc")
def space_request(request, *, person, reference: str):
    info_request = person_request_detail(person=person, reference=reference)
    if info_request is None:
        raise Http404
    context = {
        "person": person,
        "organisation": person.organisation,
        "info_request": info_request,
        "show_answer": info_request.status in ANSWER_SHOWN and info_request.answer.strip(),
        "follow_token": follow_token(info_request),
    }
    return render(request, "infodoc/space_request.html", context)
