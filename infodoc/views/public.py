"""The public info-doc pages: the service page and request form, the signed follow page,
the published questions and answers. Thin: form → service → template."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from infodoc.forms import InfoRequestForm
from infodoc.models import RequestStatus
from infodoc.selectors.public import (
    follow_request,
    public_question,
    public_questions,
)
from infodoc.services.intake import follow_request_id, follow_token, info_request_submit
from members.selectors.memberships import person_for_user
from portal.core.consent import consent_record_for_form
from portal.core.http import client_ip, thanks_recall, thanks_remember
from portal.core.models import ConsentPurpose
from portal.core.ratelimit import rate_allow, rate_limits
from publications.search import normalise_query

logger = logging.getLogger(__name__)

# The cookie keeping the request just sent, for the thank-you page.
DONE_COOKIE = "infodoc_request"
# Requests per hour; settings.INFODOC_RATE_LIMITS = {"email": n, "ip": n} overrides them.
RATE_LIMITS = {"email": 3, "ip": 10}
# Q&As on their list page (the service page shows the latest few).
QA_LIST_LIMIT = 200
ANSWER_SHOWN = frozenset({RequestStatus.ANSWERED, RequestStatus.CLOSED})


def _initial(user, person) -> dict:
    if person is not None:
        return {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email or user.email,
            "phone": person.phone,
            "organisation_name": person.organisation.name if person.organisation_id else "",
            "department": person.department.code if person.department_id else None,
        }
    if user.is_authenticated:
        return {"first_name": user.first_name, "last_name": user.last_name, "email": user.email}
    return {}


def _submission_allow(*, email: str, ip: str) -> bool:
    return rate_allow(
        scope="infodoc",
        keys={"email": email, "ip": ip},
        limits=rate_limits(setting="INFODOC_RATE_LIMITS", defaults=RATE_LIMITS),
    )


@require_http_methods(["GET", "POST"])
def index(request):
    """What the service does, the request form and the published questions and answers."""
    form = InfoRequestForm(
        request.POST or None, initial=_initial(request.user, person_for_user(request.user))
    )
    status = 200
    if request.method == "POST":
        if form.is_spam:
            logger.info("Info-doc honeypot filled: nothing recorded.")
            response = redirect("infodoc:done")
            response.delete_cookie(DONE_COOKIE, samesite="Lax")
            return response
        if form.is_valid():
            data = form.submission_data()
            if not _submission_allow(email=data["email"], ip=client_ip(request)):
                status = 429
                form.add_error(
                    None,
                    _(
                        "You have sent several requests in a short time. Please wait an hour "
                        "before sending another, or write to us by email."
                    ),
                )
            else:
                try:
                    with transaction.atomic():
                        info_request = info_request_submit(**data, user=request.user)
                        consent_record_for_form(
                            request=request,
                            form=form,
                            purpose=ConsentPurpose.INFODOC_REQUEST,
                            email=info_request.person.email,
                            person=info_request.person,
                        )
                except ValidationError:
                    logger.info("Info-doc form accepted but the request refused.", exc_info=True)
                    form.add_error(
                        None,
                        _("Your request could not be recorded. Please check it and try again."),
                    )
                else:
                    response = redirect("infodoc:done")
                    thanks_remember(response, name=DONE_COOKIE, value=info_request.pk)
                    return response
    context = {"form": form, "questions": public_questions()}
    return render(request, "infodoc/index.html", context, status=status)


@require_GET
@never_cache
def done(request):
    """The thank-you page; with the reference when this visitor's request was recorded."""
    pk = thanks_recall(request, name=DONE_COOKIE)
    info_request = follow_request(pk=pk) if isinstance(pk, int) else None
    context = {
        "info_request": info_request,
        "follow_token": follow_token(info_request) if info_request else "",
    }
    return render(request, "infodoc/request_done.html", context)


@require_GET
@never_cache
def follow(request, token: str):
    """The state of a request, for whoever holds its signed link."""
    pk = follow_request_id(token)
    if pk is None:
        return render(request, "infodoc/follow_invalid.html", status=400)
    info_request = follow_request(pk=pk)
    if info_request is None:
        return render(request, "infodoc/follow_invalid.html", {"missing": True}, status=404)
    context = {
        "info_request": info_request,
        "show_answer": info_request.status in ANSWER_SHOWN and info_request.answer.strip(),
    }
    return render(request, "infodoc/follow.html", context)


# Published questions and answers -------------------------------------------------


@require_GET
def qa_list(request):
    """Every published Q&A, or those a search finds."""
    q = normalise_query(request.GET.get("q"))
    context = {"q": q, "questions": public_questions(q=q, limit=QA_LIST_LIMIT)}
    return render(request, "infodoc/qa_list.html", context)


@require_GET
def qa_detail(request, pk: int, slug: str):
    """One published Q&A; an old or mistyped slug is redirected to the right address."""
    question = public_question(pk=pk)
    if question is None:
        raise Http404
    if slug != question.public_slug:
        return redirect(question.get_public_url(), permanent=True)
    return render(request, "infodoc/qa_detail.html", {"question": question})
