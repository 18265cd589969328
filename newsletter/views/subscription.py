"""Subscribing to « Résonances » (double opt-in), unsubscribing and preferences.

The links in emails carry signed tokens (newsletter.tokens). A GET never changes
anything, because mail scanners open links: confirming and unsubscribing need a
POST. The unsubscribe POST also serves RFC 8058 one-click unsubscription, which
mail providers send without cookie or CSRF token: the signed token is the
authorisation, so that view is exempt from CSRF checks.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from newsletter.forms import PreferencesForm, SubscribeForm
from newsletter.models import Subscriber, SubscriberStatus
from newsletter.selectors.subscribers import subscriber_for_link
from newsletter.services.subscribers import (
    RECEIVING,
    UNSUBSCRIBE_LINK,
    UNSUBSCRIBE_ONE_CLICK,
    SubscriptionRateLimited,
    subscriber_preferences_update,
    subscriber_unsubscribe,
    subscription_confirm,
    subscription_request,
)
from newsletter.tokens import CONFIRMATION_MAX_AGE, confirm_token_read, manage_token_read
from portal.core.consent import consent_record_for_form
from portal.core.http import client_ip
from portal.core.models import ConsentPurpose

logger = logging.getLogger(__name__)

# Why a link is refused, for token_invalid.html.
CONFIRM_INVALID = "confirm"  # altered or expired confirmation link
CONFIRM_LEFT = "left"  # the person unsubscribed (or bounced) since asking
MANAGE_INVALID = "manage"  # altered unsubscribe or preferences link


def _link_invalid(request, reason: str):
    context = {"reason": reason, "valid_days": CONFIRMATION_MAX_AGE.days}
    return render(request, "newsletter/token_invalid.html", context, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    """The form; a valid POST asks for a subscription and shows the same page afterwards
    whether the address was known or not."""
    form = SubscribeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_spam:
            logger.info("Newsletter honeypot filled: nothing recorded.")
            return redirect("newsletter:subscribe_done")
        if form.is_valid():
            try:
                with transaction.atomic():
                    subscription_request(
                        email=form.cleaned_data["email"], **form.details(), ip=client_ip(request)
                    )
                    consent_record_for_form(
                        request=request,
                        form=form,
                        purpose=ConsentPurpose.NEWSLETTER,
                        email=form.cleaned_data["email"],
                    )
            except SubscriptionRateLimited:
                status = 429
                form.add_error(
                    None,
                    _(
                        "Several subscriptions were asked for in a short time from here or "
                        "for this address. Please wait an hour and try again."
                    ),
                )
            else:
                return redirect("newsletter:subscribe_done")
    return render(request, "newsletter/subscribe.html", {"form": form}, status=status)


@require_safe
def subscribe_done(request):
    return render(
        request, "newsletter/subscribe_done.html", {"valid_days": CONFIRMATION_MAX_AGE.days}
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token: str):
    """GET shows a button; only its POST confirms the subscription."""
    subscriber = subscriber_for_link(confirm_token_read(token))
    if subscriber is None:
        return _link_invalid(request, CONFIRM_INVALID)
    if subscriber.status not in RECEIVING:
        return _link_invalid(request, CONFIRM_LEFT)
    context = {"subscriber": subscriber, "token": token}
    if request.method == "POST":
        try:
            context["subscriber"] = subscription_confirm(
                subscriber_id=subscriber.pk, ip=client_ip(request)
            )
        except Subscriber.DoesNotExist:
            return _link_invalid(request, CONFIRM_INVALID)
        except ValidationError:
            return _link_invalid(request, CONFIRM_LEFT)
        context["confirmed"] = True
    else:
        context["confirmed"] = subscriber.status == SubscriberStatus.ACTIVE
    return render(request, "newsletter/confirm.html", context)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    """GET asks for confirmation and changes nothing; POST unsubscribes at once
    (the page's button, or a provider's one-click POST `List-Unsubscribe=One-Click`)."""
    subscriber_id = manage_token_read(token)
    if subscriber_id is None:
        return _link_invalid(request, MANAGE_INVALID)
    subscriber = subscriber_for_link(subscriber_id)
    if request.method == "POST":
        if subscriber is not None:
            one_click = request.POST.get("List-Unsubscribe") == "One-Click"
            source = UNSUBSCRIBE_ONE_CLICK if one_click else UNSUBSCRIBE_LINK
            try:
                subscriber = subscriber_unsubscribe(subscriber=subscriber, source=source)
            except Subscriber.DoesNotExist:  # erased meanwhile
                subscriber = None
        return render(request, "newsletter/unsubscribed.html", {"subscriber": subscriber})
    if subscriber is None or subscriber.status not in RECEIVING:
        return render(request, "newsletter/unsubscribed.html", {"subscriber": subscriber})
    context = {"subscriber": subscriber, "token": token}
    return render(request, "newsletter/unsubscribe.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request, token: str):
    """The subscriber's format and details; a link to unsubscribe."""
    subscriber_id = manage_token_read(token)
    if subscriber_id is None:
        return _link_invalid(request, MANAGE_INVALID)
    subscriber = subscriber_for_link(subscriber_id)
    if subscriber is None:
        return render(request, "newsletter/unsubscribed.html", {"subscriber": None})
    active = subscriber.status == SubscriberStatus.ACTIVE
    form = PreferencesForm.for_subscriber(
        subscriber, request.POST if request.method == "POST" and active else None
    )
    if request.method == "POST" and active and form.is_valid():
        subscriber_preferences_update(
            subscriber=subscriber,
            mail_format=form.cleaned_data["mail_format"],
            themes=form.cleaned_data["themes"],
            **form.details(),
        )
        messages.success(request, _("Your preferences are saved."))
        return redirect("newsletter:preferences", token=token)
    context = {"subscriber": subscriber, "form": form, "token": token, "active": active}
    return render(request, "newsletter/preferences.html", context)
