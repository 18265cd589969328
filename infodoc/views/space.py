"""The member's own info-doc requests in the member space."""

from __future__ import annotations

from functools import wraps

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from infodoc.selectors.public import person_request_detail, person_requests
from infodoc.services.intake import follow_token
from infodoc.views.public import ANSWER_SHOWN
from members.selectors.memberships import person_for_user
from portal.core.roles import member_required


def _space_page(view):
    """Sign-in required; passes the user's Person to the view as `person`.

    An account without a Person sees the members app's "not linked" page.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        person = person_for_user(request.user)
        if person is None:
            return render(request, "members/space_unlinked.html")
        request.space_section = "infodoc"
        return view(request, *args, person=person, **kwargs)

    return never_cache(member_required(wrapper))


@require_GET
@_space_page
def space_requests(request, *, person):
    context = {
        "person": person,
        "organisation": person.organisation,
        "requests": list(person_requests(person=person)),
    }
    return render(request, "infodoc/space_requests.html", context)


@require_GET
@_space_page
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
