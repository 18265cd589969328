"""How the info-doc import reads its cells: the loose words staff write for kinds,
statuses, channels and response types, staff accounts, references; and the small rules
the check shares with the saving (a question's digest, a subject from a question, the
path of statuses from one to another)."""

from __future__ import annotations

import hashlib
import re
from functools import cached_property

from django.contrib.auth import get_user_model
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from infodoc.models import (
    TRANSITIONS,
    Channel,
    RequesterKind,
    RequestStatus,
    ResponseType,
)
from members.models import OrganisationKind
from portal.core.sheets import columns as read
from portal.core.sheets.columns import CellError, Choice, Lookups, cell_text
from portal.core.text import loose_key

K, S, C, R = RequesterKind, RequestStatus, Channel, ResponseType
ANSWERED = (S.ANSWERED, S.CLOSED)
# The portal's own references: ID-<year>-<number>.
OWN_REFERENCE = re.compile(r"ID\s*-?\s*(\d{4})\s*-?\s*(\d{1,6})", re.IGNORECASE)
SUBJECT_WORDS = 12
ORGANISATION_KINDS = {
    K.CITY: OrganisationKind.COMMUNE, K.EPCI: OrganisationKind.EPCI,
    K.DEPARTEMENT: OrganisationKind.DEPARTEMENT, K.STATE: OrganisationKind.STATE,
    K.ASSOCIATION: OrganisationKind.ASSOCIATION,
    K.SOCIAL_LANDLORD: OrganisationKind.SOCIAL_LANDLORD,
}  # fmt: skip

REQUESTER_KIND = Choice(RequesterKind, aliases={
    "commune": K.CITY, "mairie": K.CITY, "collectivité": K.CITY, "CCAS": K.CITY,
    "collectivité territoriale": K.CITY, "intercommunalité": K.EPCI, "interco": K.EPCI,
    "agglomération": K.EPCI, "communauté d'agglomération": K.EPCI, "EPT": K.EPCI,
    "communauté de communes": K.EPCI, "communauté urbaine": K.EPCI,
    "conseil départemental": K.DEPARTEMENT, "état": K.STATE, "institution": K.STATE,
    "institutionnel": K.STATE, "services de l'état": K.STATE, "préfecture": K.STATE,
    "DDETS": K.STATE, "CAF": K.STATE, "ARS": K.STATE, "associatif": K.ASSOCIATION,
    "asso": K.ASSOCIATION, "centre social": K.ASSOCIATION, "bailleur": K.SOCIAL_LANDLORD,
    "HLM": K.SOCIAL_LANDLORD, "consultant": K.PROFESSIONAL, "bureau d'études": K.PROFESSIONAL,
    "professionnel": K.PROFESSIONAL, "professionnelle": K.PROFESSIONAL,
    "étudiant": K.STUDENT, "étudiante": K.STUDENT, "particulier": K.OTHER,
    "habitant": K.OTHER,
})  # fmt: skip
STATUS = Choice(RequestStatus, aliases={
    "nouveau": S.NEW, "à traiter": S.NEW, "reçue": S.NEW, "en attente": S.NEW,
    "en traitement": S.IN_PROGRESS, "répondu": S.ANSWERED, "réponse envoyée": S.ANSWERED,
    "traitée": S.ANSWERED, "clôturée": S.CLOSED, "close": S.CLOSED, "fermée": S.CLOSED,
    "terminée": S.CLOSED, "classée": S.CLOSED, "abandonnée": S.NO_FOLLOW_UP,
    "annulée": S.NO_FOLLOW_UP,
})  # fmt: skip
CHANNEL = Choice(Channel, aliases={
    "mail": C.EMAIL, "e-mail": C.EMAIL, "messagerie": C.EMAIL, "tél": C.PHONE,
    "téléphone": C.PHONE, "appel": C.PHONE, "accueil": C.ON_SITE, "visite": C.ON_SITE,
    "rendez-vous": C.ON_SITE, "en personne": C.ON_SITE, "formulaire": C.WEB, "site": C.WEB,
    "site web": C.WEB, "site internet": C.WEB, "internet": C.WEB, "en ligne": C.WEB,
})  # fmt: skip
RESPONSE_TYPE = Choice(ResponseType, aliases={
    "documentation": R.DOCUMENTS, "envoi de documents": R.DOCUMENTS, "dossier": R.DOSSIER,
    "dossier documentaire": R.DOSSIER, "biblio": R.BIBLIOGRAPHY, "orientation": R.ORIENTATION,
    "mise en relation": R.ORIENTATION, "contact": R.ORIENTATION, "intervenant": R.SPEAKERS,
    "recherche d'intervenant": R.SPEAKERS, "offre d'emploi": R.JOB_OFFERS,
    "emploi": R.JOB_OFFERS,
})  # fmt: skip


class RequestLookups(Lookups):
    """The reference data, and the staff accounts a request may be followed by."""

    @cached_property
    def staff(self) -> dict[str, list]:
        found: dict[str, list] = {}
        users = get_user_model().objects.filter(is_staff=True).order_by("pk")
        for user in users.only("pk", "email", "first_name", "last_name"):
            keys = {user.email.lower()}
            if user.first_name or user.last_name:
                keys.add(loose_key(f"{user.first_name} {user.last_name}"))
                keys.add(loose_key(f"{user.last_name} {user.first_name}"))
            for key in keys - {""}:
                found.setdefault(key, []).append(user)
        return found


def staff_member(value, lookups: RequestLookups):
    """A staff account (an inactive one for someone who left), by its email or name."""
    content = cell_text(value)
    found = lookups.staff.get(content.lower() if "@" in content else loose_key(content), [])
    if not found:
        raise CellError(
            _(
                "“%(value)s” has no staff account: give the email or the name of one (an "
                "inactive account for someone who left), or leave the cell empty."
            )
            % {"value": content}
        )
    if len(found) > 1:
        raise CellError(_("Several staff members are named “%(value)s”: give the email.") % {
            "value": content
        })  # fmt: skip
    return found[0]


def reference(value, lookups) -> str:
    """The portal's ID-2024-0042 (written loosely: « id 2024 42 »), or any other up to 20
    characters, kept as typed."""
    content = cell_text(value)
    own = OWN_REFERENCE.fullmatch(content)
    if own:
        return f"ID-{own.group(1)}-{int(own.group(2)):04d}"
    return read.text(20)(value, lookups)


response_types = read.several(
    RESPONSE_TYPE,
    gettext_lazy("Unknown response types: %(names)s. Allowed: %(allowed)s."),
    allowed=RESPONSE_TYPE.allowed,
)


def subject_from(question: str) -> str:
    """The question's first words, when the file gives no subject."""
    words = Truncator(" ".join(question.split())).words(SUBJECT_WORDS, truncate="…")
    return Truncator(words).chars(200, truncate="…")


def question_digest(question: str) -> str:
    """The question's words, whatever the case, accents, spaces or punctuation."""
    return hashlib.sha256(loose_key(question).encode()).hexdigest()


def status_path(start: str, end: str) -> list[str] | None:
    """The statuses a request goes through from `start` to `end` (TRANSITIONS), or None
    when the workflow does not lead there."""
    paths = {start: []}
    queue = [start]
    while queue:
        current = queue.pop(0)
        if current == end:
            return paths[current]
        for following in sorted(TRANSITIONS[current]):
            if following not in paths:
                paths[following] = [*paths[current], following]
                queue.append(following)
    return None
