"""The public members page: who is a member this year, the dues, and the request to join."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from members.forms import MembershipRequestForm
from members.models import DuesMode
from members.selectors.memberships import (
    pending_membership_request,
)
from members.selectors.space import (
    public_dues_rules,
    public_members,
)
from members.services.requests import membership_request_create
from portal.core.consent import consent_record_for_form
from portal.core.formats import NBSP, format_euros, format_number
from portal.core.http import thanks_recall, thanks_remember
from portal.core.models import ConsentPurpose

logger = logging.getLogger(__name__)

# The cookie keeping the request to join just sent, for the page that follows.
REQUEST_DONE_COOKIE = "members_request"


def _rate_text(rule) -> str:
    if rule.mode == DuesMode.PER_INHABITANT:
        decimals = max(2, -rule.rate.normalize().as_tuple().exponent)
        return _("%(rate)s per inhabitant") % {
            "rate": f"{format_number(rule.rate, decimals)}{NBSP}€"
        }
    return format_euros(rule.flat_amount)


@require_http_methods(["GET", "POST"])
def public_list(request):
    year = timezone.localdate().year
    form = MembershipRequestForm(request.POST or None)
    if request.method == "POST":
        if form.is_spam:
            logger.info("Membership request honeypot filled: nothing recorded.")
            response = redirect("members:request_done")
            response.delete_cookie(REQUEST_DONE_COOKIE, samesite="Lax")
            return response
        if form.is_valid():
            try:
                with transaction.atomic():
                    membership_request = membership_request_create(**form.request_data())
                    consent_record_for_form(
                        request=request,
                        form=form,
                        purpose=ConsentPurpose.MEMBERSHIP_REQUEST,
                        email=membership_request.email,
                    )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                response = redirect("members:request_done")
                thanks_remember(response, name=REQUEST_DONE_COOKIE, value=membership_request.pk)
                return response
    dues = [
        {"category": rule.get_category_display(), "text": _rate_text(rule)}
        for rule in public_dues_rules(year=year)
    ]
    context = {"members": public_members(year=year), "year": year, "dues": dues, "form": form}
    return render(request, "members/public_list.html", context)


@require_GET
@never_cache
def request_done(request):
    """The page after a request to join: what happened, what comes next; with the
    address the acknowledgement went to when this visitor's request was recorded."""
    pk = thanks_recall(request, name=REQUEST_DONE_COOKIE)
    membership_request = pending_membership_request(pk=pk) if isinstance(pk, int) else None
    return render(request, "members/request_done.html", {"membership_request": membership_request})
