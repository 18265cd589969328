"""A request sent through the public web form: the person, the request, the acknowledgement."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from infodoc.models import Channel, InfoRequest, RequesterKind
from infodoc.services.requests import info_request_create
from members.models import ActorType
from members.services.directory import person_match_or_create
from portal.core.mail import email_send
from portal.core.models import Commune, Department, Theme

logger = logging.getLogger(__name__)

FOLLOW_SALT = "infodoc.follow"

# The kind of requester, as the directory's kind of actor.
ACTOR_TYPES = {
    RequesterKind.CITY: ActorType.COLLECTIVITY_STAFF,
    RequesterKind.EPCI: ActorType.COLLECTIVITY_STAFF,
    RequesterKind.DEPARTEMENT: ActorType.COLLECTIVITY_STAFF,
    RequesterKind.STATE: ActorType.STATE,
    RequesterKind.ASSOCIATION: ActorType.ASSOCIATION,
}


def follow_token(request: InfoRequest) -> str:
    """A signed token carrying the request's id, for the follow link."""
    return signing.dumps({"r": request.pk}, salt=FOLLOW_SALT, compress=True)


def follow_request_id(token: str) -> int | None:
    """The request id a token carries, or None when it was altered or is not a token."""
    try:
        payload = signing.loads(token, salt=FOLLOW_SALT)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        return None
    pk = payload.get("r") if isinstance(payload, dict) else None
    return pk if isinstance(pk, int) and not isinstance(pk, bool) else None


def follow_url(request: InfoRequest) -> str:
    return settings.SITE_URL + reverse("infodoc:follow", args=[follow_token(request)])


# No savepoint of its own inside the form's transaction (two round trips fewer): the view
# that catches its error leaves that transaction.
@transaction.atomic(savepoint=False)
def info_request_submit(
    *,
    first_name: str,
    last_name: str,
    email: str,
    subject: str,
    question: str,
    requester_kind: str = RequesterKind.OTHER,
    phone: str = "",
    organisation_name: str = "",
    department: Department | None = None,
    commune: Commune | None = None,
    themes: Iterable[Theme] = (),
    wished_by: date | None = None,
    user=None,
) -> InfoRequest:
    """Record a web request with the requester's consent; acknowledge it once committed.

    The territory is the commune when one is chosen (with its EPCI and département),
    otherwise the département. A signed-in `user` with the same email gets the request
    in their member space.
    """
    if commune is not None:
        department = commune.department
    person = person_match_or_create(
        email=email,
        first_name=first_name,
        last_name=last_name,
        organisation_name=organisation_name,
        actor_type=ACTOR_TYPES.get(requester_kind, ActorType.OTHER),
        department=department,
        phone=phone,
        user=user,
    )
    request = info_request_create(
        person=person,
        subject=subject,
        question=question,
        requester_kind=requester_kind,
        channel=Channel.WEB,
        actor=user if user is not None and user.is_authenticated else None,
        commune=commune,
        epci=commune.epci if commune is not None else None,
        department=department,
        themes=list(themes),
        wished_by=wished_by,
        consent_at=timezone.now(),
    )
    _acknowledgement_record(request)
    return request


def _acknowledgement_record(request: InfoRequest) -> None:
    """The acknowledgement email: the reference and the signed follow link, recorded in
    the request's transaction and sent after commit by the worker (portal.core.mail)."""
    if not request.person.email:
        return
    email_send(
        template="infodoc/emails/acknowledgement",
        context={
            "request": request,
            "person": request.person,
            "follow_url": follow_url(request),
        },
        to=[request.person.email],
    )
    logger.info("Acknowledgement of %s queued.", request.reference)
