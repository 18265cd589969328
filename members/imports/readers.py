"""What the members' imports share: choices as staff write them, identifiers, the
directory indexed once per import for loose matching (portal.core.text.loose_key), and
the bulk writing of audit entries.

The type of actor is read the same way by the apps above that name people (the
subscribers', the attendance and the info-doc imports).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import (
    ActorType,
    DuesMode,
    MembershipCategory,
    MembershipStatus,
    Organisation,
    OrganisationKind,
    Person,
)
from portal.core.sheets.columns import CellError, Choice, cell_text, integer
from portal.core.text import loose_key
from portal.core.validators import validate_siret

BATCH = 1000

# Words staff write for the types of actor, besides the labels and the codes.
ACTOR_TYPE = Choice(
    ActorType,
    aliases={
        "collectivité": ActorType.COLLECTIVITY_STAFF,
        "agent": ActorType.COLLECTIVITY_STAFF,
        "technicien de collectivité": ActorType.COLLECTIVITY_STAFF,
        "professionnel de collectivité": ActorType.COLLECTIVITY_STAFF,
        "élu local": ActorType.ELECTED,
        "état": ActorType.STATE,
        "institution": ActorType.STATE,
        "services de l'état": ActorType.STATE,
        "institutionnel": ActorType.STATE,
        "chercheur": ActorType.RESEARCHER,
        "expert": ActorType.RESEARCHER,
        "universitaire": ActorType.RESEARCHER,
        "bénévole": ActorType.ASSOCIATION,
        "associatif": ActorType.ASSOCIATION,
        "citoyen": ActorType.RESIDENT,
    },
)

ORGANISATION_KIND = Choice(
    OrganisationKind,
    aliases={
        "ville": OrganisationKind.COMMUNE,
        "mairie": OrganisationKind.COMMUNE,
        "commune": OrganisationKind.COMMUNE,
        "EPCI": OrganisationKind.EPCI,
        "intercommunalité": OrganisationKind.EPCI,
        "communauté d'agglomération": OrganisationKind.EPCI,
        "communauté de communes": OrganisationKind.EPCI,
        "communauté urbaine": OrganisationKind.EPCI,
        "établissement public territorial": OrganisationKind.EPCI,
        "métropole": OrganisationKind.EPCI,
        "conseil départemental": OrganisationKind.DEPARTEMENT,
        "état": OrganisationKind.STATE,
        "services de l'état": OrganisationKind.STATE,
        "préfecture": OrganisationKind.STATE,
        "agence": OrganisationKind.PUBLIC_AGENCY,
        "bailleur": OrganisationKind.SOCIAL_LANDLORD,
        "office HLM": OrganisationKind.SOCIAL_LANDLORD,
        "asso": OrganisationKind.ASSOCIATION,
        "entreprise": OrganisationKind.COMPANY,
        "ESS": OrganisationKind.COMPANY,
        "économie sociale et solidaire": OrganisationKind.COMPANY,
    },
)

MEMBERSHIP_CATEGORY = Choice(
    MembershipCategory,
    aliases={
        "commune": MembershipCategory.CITY,
        "collectivité": MembershipCategory.CITY,
        "EPCI": MembershipCategory.EPCI,
        "communauté d'agglomération": MembershipCategory.EPCI,
        "individuelle": MembershipCategory.INDIVIDUAL,
        "personne": MembershipCategory.INDIVIDUAL,
        "personne physique": MembershipCategory.INDIVIDUAL,
        "particulier": MembershipCategory.INDIVIDUAL,
        "adhésion individuelle": MembershipCategory.INDIVIDUAL,
        "asso": MembershipCategory.ASSOCIATION,
        "autre": MembershipCategory.OTHER,
    },
)

MEMBERSHIP_STATUS = Choice(
    MembershipStatus,
    aliases={
        "à facturer": MembershipStatus.TO_INVOICE,
        "non facturé": MembershipStatus.TO_INVOICE,
        "facturé": MembershipStatus.INVOICED,
        "appelée": MembershipStatus.INVOICED,
        "appelé": MembershipStatus.INVOICED,
        "en attente de paiement": MembershipStatus.INVOICED,
        "partiellement payée": MembershipStatus.PARTLY_PAID,
        "partiellement payé": MembershipStatus.PARTLY_PAID,
        "payé en partie": MembershipStatus.PARTLY_PAID,
        "payé": MembershipStatus.PAID,
        "réglée": MembershipStatus.PAID,
        "réglé": MembershipStatus.PAID,
        "acquittée": MembershipStatus.PAID,
        "acquitté": MembershipStatus.PAID,
        "annulée": MembershipStatus.CANCELLED,
        "annulé": MembershipStatus.CANCELLED,
    },
)

DUES_MODE = Choice(
    DuesMode,
    aliases={
        "par habitant": DuesMode.PER_INHABITANT,
        "au nombre d'habitants": DuesMode.PER_INHABITANT,
        "forfaitaire": DuesMode.FLAT,
        "montant fixe": DuesMode.FLAT,
        "fixe": DuesMode.FLAT,
    },
)

record_id = integer(minimum=1, maximum=2**31 - 1)
YEAR = integer(minimum=2000, maximum=2100)
YEAR_ALIASES = ("exercice", "millésime", "année d'adhésion")
YEAR_HELP = gettext_lazy("The year of the dues: 2023.")
CATEGORY_ALIASES = ("catégorie d'adhérent", "type d'adhérent", "catégorie d'adhésion")
MAX_AMOUNT = Decimal(10**8)  # the money columns' ten digits, two of them decimals


def siret(value, lookups) -> str:
    """14 digits, spaces allowed (« 219 200 029 00011 »); a number cell keeps its zeros."""
    number = re.sub(r"\s", "", cell_text(value))
    if isinstance(value, int | float) and number.isdigit():
        number = number.zfill(14)
    try:
        validate_siret(number)
    except ValidationError:
        raise CellError(
            _("“%(value)s” is not a valid SIRET (14 digits).") % {"value": cell_text(value)}
        ) from None
    return number


# The directory, indexed once per import -------------------------------------------------


class OrganisationIndex:
    """Every organisation by id, SIRET and loose name (a few thousand rows: one query)."""

    def __init__(self, organisations: Iterable[Organisation]):
        self.by_id: dict[int, Organisation] = {}
        self.by_siret: dict[str, list[Organisation]] = {}
        self.by_name: dict[str, list[Organisation]] = {}
        for organisation in organisations:
            self.add(organisation)

    @classmethod
    def load(cls) -> OrganisationIndex:
        return cls(Organisation.objects.select_related("commune").order_by("pk"))

    def add(self, organisation: Organisation) -> None:
        if organisation.pk:
            self.by_id[organisation.pk] = organisation
        if organisation.siret:
            self.by_siret.setdefault(organisation.siret, []).append(organisation)
        self.by_name.setdefault(loose_key(organisation.name), []).append(organisation)

    def named(self, name: str) -> list[Organisation]:
        return self.by_name.get(loose_key(name), [])

    def one_named(self, name: str, column: str) -> Organisation:
        """The one organisation named so; CellError naming `column` otherwise."""
        found = self.named(name)
        if len(found) > 1:
            raise CellError(
                _("« %(column)s » : several organisations are named “%(value)s”.")
                % {"column": column, "value": name}
            )
        if not found:
            raise CellError(
                _(
                    "« %(column)s » : no organisation of the directory is named “%(value)s”: "
                    "import the organisations first, or correct the name."
                )
                % {"column": column, "value": name}
            )
        return found[0]


def name_key(first_name: str, last_name: str) -> str:
    return loose_key(f"{first_name} {last_name}")


class PersonIndex:
    """Every person by address and by loose name (tens of thousands of rows: plain tuples
    in one query; the records themselves are read for the lines that need them)."""

    def __init__(self) -> None:
        self.ids: set[int] = set()
        self.by_email: dict[str, int] = {}
        self.emails: dict[int, str] = {}
        self.names: dict[int, str] = {}
        # (first name + last name) → [(pk, organisation_id)], the two orders of the names.
        self.by_name: dict[str, list[tuple[int, int | None]]] = {}
        rows = Person.objects.values_list("pk", "first_name", "last_name", "email", "organisation")
        for pk, first_name, last_name, email, organisation_id in rows.iterator(chunk_size=5000):
            self.ids.add(pk)
            self.emails[pk] = email.lower()
            self.names[pk] = f"{first_name} {last_name}".strip()
            if email:
                self.by_email[email.lower()] = pk
            for key in {name_key(first_name, last_name), name_key(last_name, first_name)}:
                self.by_name.setdefault(key, []).append((pk, organisation_id))

    def named(self, full_name: str) -> list[int]:
        found = self.by_name.get(loose_key(full_name), [])
        return list(dict.fromkeys(pk for pk, _organisation in found))


def duplicate_of(line: int) -> str:
    """The engine's words for a line that repeats another, found after matching."""
    return _("Duplicate in the file: the same record as line %(line)s.") % {"line": line}


def assign(record: Model, values: dict[str, object]) -> bool:
    """Set the values that are not None on `record` (an empty cell keeps what the record
    has); True when one differs."""
    changed = False
    for name, value in values.items():
        if value is None:
            continue
        field = record._meta.get_field(name)
        new = value.pk if isinstance(value, Model) else value
        if getattr(record, field.attname) != new:
            setattr(record, name, value)
            changed = True
    return changed


def changes_of(record, target: dict) -> dict[str, list]:
    """{field: [before, after]} for each value of `target` that `record` does not have."""
    return {
        name: [getattr(record, name), value]
        for name, value in target.items()
        if getattr(record, name) != value
    }
