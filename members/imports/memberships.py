"""Spreadsheet import of the memberships of a year.

A centre moving in brings its past years: who was a member, for how much, whether it was
invoiced and paid. Nothing here issues an invoice or sends a message. A year brought in
has no invoice in the portal, so the status the file gives is recorded on the membership
(`recorded_status`) and used, while it has no invoice, by the lists and the dues figures
(members.selectors.memberships, members.selectors.figures). A membership invoiced in the
portal keeps the dues and the status its invoices and payments give it. Every membership
created or changed is audited, as the services audit dues.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.imports.readers import (
    BATCH,
    CATEGORY_ALIASES,
    MAX_AMOUNT,
    MEMBERSHIP_CATEGORY,
    MEMBERSHIP_STATUS,
    YEAR,
    YEAR_ALIASES,
    YEAR_HELP,
    OrganisationIndex,
    PersonIndex,
    changes_of,
    duplicate_of,
    siret,
)
from members.models import (
    DuesMode,
    DuesRule,
    Membership,
    MembershipCategory,
    MembershipStatus,
    Organisation,
)
from members.selectors.memberships import membership_status, memberships_with_amounts
from members.services.memberships import membership_category_for
from portal.core.formats import format_euros
from portal.core.pagecache import page_cache_invalidate
from portal.core.services import audit_log_many
from portal.core.sheets import columns as read
from portal.core.sheets.columns import Column
from portal.core.sheets.engine import CREATE, UNCHANGED, UPDATE, Importer, Row
from portal.core.sheets.registry import register
from portal.core.text import loose_key

MEMBERSHIP_FIELDS = (
    "category", "population_used", "rate_used", "amount", "commitment_number",
    "decision_reference", "recorded_status", "cancelled_at",
)  # fmt: skip


@register
class MembershipImporter(Importer):
    key = "members.memberships"
    title = gettext_lazy("Memberships of a year")
    help = gettext_lazy(
        "One line per member and year: an organisation of the directory (by SIRET or name) "
        "or, for an individual member, a person (by address or name). The dues are the "
        "amount given, else computed by the year's rule. The status is the one recorded "
        "before the portal: nothing is invoiced, nothing is sent. A membership already "
        "there for the member and year is updated."
    )
    model = Membership
    order = 50
    columns = (
        Column("member", gettext_lazy("Member"), read.text(200),
               aliases=("organisation", "structure", "organisme", "nom", "raison sociale",
                        "nom de l'adhérent"),
               help=gettext_lazy("The organisation's name, or an individual member's first "
                                 "and last names, as in the directory.")),
        Column("siret", gettext_lazy("SIRET"), siret, aliases=("numéro siret", "n° siret"),
               help=gettext_lazy("Finds the organisation by its SIRET rather than its name.")),
        Column("email", gettext_lazy("Email"), read.email,
               aliases=("e-mail", "mail", "adresse électronique", "courriel"),
               help=gettext_lazy("For an individual member: their address (else their "
                                 "name in « Member »).")),
        Column("category", gettext_lazy("Category"), MEMBERSHIP_CATEGORY,
               aliases=CATEGORY_ALIASES, allowed=MEMBERSHIP_CATEGORY.allowed,
               help=gettext_lazy("Empty: the category of the organisation's kind; "
                                 "individual for a person.")),
        Column("year", gettext_lazy("Year"), YEAR, required=True, aliases=YEAR_ALIASES,
               help=YEAR_HELP),
        Column("amount", gettext_lazy("Dues (€)"), read.decimal(),
               aliases=("montant", "cotisation", "montant de la cotisation"),
               help=gettext_lazy("Empty: computed by the dues rule of the year and "
                                 "category.")),
        Column("population", gettext_lazy("Population used"), read.integer(maximum=10**8),
               aliases=("habitants", "nombre d'habitants", "population de référence"),
               help=gettext_lazy("For dues per inhabitant; empty: the organisation's "
                                 "(its inhabitants, else its commune's population).")),
        Column("commitment_number", gettext_lazy("Commitment number"), read.text(50),
               aliases=("n° d'engagement", "engagement"),
               help=gettext_lazy(
                   "The payer's « numéro d'engagement », printed on the invoice.")),
        Column("decision_reference", gettext_lazy("Council decision"), read.text(100),
               aliases=("délibération", "décision", "référence de la délibération"),
               help=gettext_lazy("Reference and date of the deliberation to join.")),
        Column("status", gettext_lazy("Status"), MEMBERSHIP_STATUS,
               aliases=("état", "statut de la cotisation"), allowed=MEMBERSHIP_STATUS.allowed,
               help=gettext_lazy("As recorded before the portal; « cancelled » cancels the "
                                 "membership. Empty: to invoice, for a new membership.")),
    )  # fmt: skip

    def row_key(self, row: Row):
        values = row.values
        member = values["siret"] or values["email"] or loose_key(values["member"])
        return (values["year"], member) if member else None

    def check(self, rows: list[Row]) -> None:
        years = {row.values["year"] for row in rows}
        self.organisations = OrganisationIndex.load()
        self.people = PersonIndex()
        self.rules = {(r.year, r.category): r for r in DuesRule.objects.filter(year__in=years)}
        existing = {
            (membership.organisation_id, membership.person_id, membership.year): membership
            for membership in memberships_with_amounts(Membership.objects.filter(year__in=years))
        }
        self.before: dict[int, dict] = {}
        self.now = timezone.now()
        claimed: dict[tuple, int] = {}
        for row in rows:
            organisation, person_id = self._member(row)
            if row.errors:
                continue
            key = (organisation.pk if organisation else None, person_id, row.values["year"])
            if key in claimed:
                row.error(duplicate_of(claimed[key]))
                continue
            claimed[key] = row.line
            self._apply(row, organisation, person_id, existing.get(key))

    # Who the member is ------------------------------------------------------------------

    def _member(self, row: Row) -> tuple[Organisation | None, int | None]:
        values = row.values
        if not (values["member"] or values["siret"] or values["email"]):
            row.error(
                _("Say who the member is: « %(member)s », « %(siret)s » or, for an individual "
                  "member, « %(email)s ».")
                % {name: self.column_label(name) for name in ("member", "siret", "email")}
            )  # fmt: skip
            return None, None
        category = values["category"]
        individual = category == MembershipCategory.INDIVIDUAL or (
            category is None and values["email"] and not values["siret"]
        )
        if individual:
            person_id, problem = self._person(values)
        else:
            organisation, problem = self._organisation(values)
            if organisation is not None:
                return organisation, None
            person_id = None
            if category is None and values["member"] and not values["siret"]:
                named = self.people.named(values["member"])  # an individual member, perhaps
                person_id = named[0] if len(named) == 1 else None
        if person_id is None:
            row.error(problem)
        return None, person_id

    def _organisation(self, values: dict) -> tuple[Organisation | None, str]:
        number, name = values["siret"], values["member"]
        index = self.organisations
        if number:
            found = index.by_siret.get(number, [])
            if name and len(found) > 1:
                found = [o for o in found if loose_key(o.name) == loose_key(name)] or found
            if len(found) == 1:
                return found[0], ""
            if found:
                return None, _("Several organisations have the SIRET %(value)s.") % {
                    "value": number
                }
        if name:
            named = [o for o in index.named(name) if not (number and o.siret)]
            if len(named) == 1:
                return named[0], ""
            if named:
                return None, _("Several organisations are named “%(value)s”: give the SIRET.") % {
                    "value": name
                }
            return None, _(
                "No organisation of the directory is named “%(value)s”: import the "
                "organisations first, or correct the name."
            ) % {"value": name}
        return None, _(
            "No organisation of the directory has the SIRET %(value)s: import the "
            "organisations first."
        ) % {"value": number}

    def _person(self, values: dict) -> tuple[int | None, str]:
        email, name = values["email"], values["member"]
        if email and email in self.people.by_email:
            return self.people.by_email[email], ""
        if name:
            named = self.people.named(name)
            if email:  # someone with another address is someone else
                named = [pk for pk in named if not self.people.emails[pk]]
            if len(named) == 1:
                return named[0], ""
            if named:
                return None, _(
                    "Several people are named “%(value)s”: give the address of the one who "
                    "is a member."
                ) % {"value": name}
        return None, _(
            "No person of the directory is %(who)s: import the people first, or correct the line."
        ) % {"who": f"« {email or name} »"}

    # What the membership becomes ----------------------------------------------------------

    def _apply(self, row: Row, organisation, person_id, membership: Membership | None) -> None:
        values = row.values
        category = values["category"] or membership_category_for(organisation=organisation)
        if person_id is not None and category != MembershipCategory.INDIVIDUAL:
            row.error(
                _("« %(column)s » : an individual member's category is « %(individual)s ».")
                % {
                    "column": self.column_label("category"),
                    "individual": MembershipCategory.INDIVIDUAL.label,
                }
            )
            return
        invoiced = membership is not None and membership.invoiced_amount > 0
        if invoiced:
            target = self._invoiced(row, membership, category)
        else:
            target = self._priced(row, organisation, category, membership)
        if target is None:
            return
        for name in ("commitment_number", "decision_reference"):
            kept = getattr(membership, name) if membership else ""
            target[name] = values[name] if values[name] is not None else kept
        if membership is None:
            membership = Membership(
                year=values["year"], organisation=organisation, person_id=person_id, **target
            )
            row.change = CREATE
        else:
            self.before[row.line] = changes_of(membership, target)
            row.change = UPDATE if self.before[row.line] else UNCHANGED
            for name, value in target.items():
                setattr(membership, name, value)
        row.record = membership
        member = organisation.name if organisation else self.people.names[person_id]
        if invoiced:
            status = membership_status(membership)
        elif membership.cancelled_at:
            status = MembershipStatus.CANCELLED
        else:
            status = MembershipStatus(membership.recorded_status or MembershipStatus.TO_INVOICE)
        row.label = (
            f"{member} — {values['year']} — {format_euros(membership.amount)} — {status.label}"
        )

    def _invoiced(self, row: Row, membership: Membership, category: str) -> dict | None:
        """Invoiced in the portal: its dues are on the invoice, its status is its own."""
        values = row.values
        frozen = _("this membership is invoiced in the portal")
        if values["amount"] is not None and values["amount"] != membership.amount:
            row.error(
                _("« %(column)s » : %(reason)s, its dues stay %(amount)s.")
                % {
                    "column": self.column_label("amount"),
                    "reason": frozen,
                    "amount": format_euros(membership.amount),
                }
            )
        if values["category"] is not None and category != membership.category:
            row.error(
                _("« %(column)s » : %(reason)s, its category stays « %(category)s ».")
                % {
                    "column": self.column_label("category"),
                    "reason": frozen,
                    "category": membership.get_category_display(),
                }
            )
        status = membership_status(membership)
        if values["status"] is not None and values["status"] != status:
            row.error(
                _("« %(column)s » : %(reason)s, its status comes from its invoices and "
                  "payments (« %(status)s »).")
                % {"column": self.column_label("status"), "reason": frozen,
                   "status": status.label}
            )  # fmt: skip
        if row.errors:
            return None
        return {name: getattr(membership, name) for name in MEMBERSHIP_FIELDS[:4]} | {
            "recorded_status": membership.recorded_status,
            "cancelled_at": membership.cancelled_at,
        }

    def _priced(self, row: Row, organisation, category: str, membership) -> dict | None:
        """The dues given, else the rule's; the status recorded before the portal."""
        values = row.values
        amount, population, rate = values["amount"], values["population"], None
        if amount is not None and amount >= MAX_AMOUNT:
            row.error(
                _("« %(column)s » : %(value)s is too large.")
                % {"column": self.column_label("amount"), "value": format_euros(amount)}
            )
            return None
        rule = self.rules.get((values["year"], category))
        if amount is not None:
            # The rule's own price, given in full: the rate it used is kept with it.
            per_inhabitant = rule is not None and rule.mode == DuesMode.PER_INHABITANT
            if per_inhabitant and population and rule.amount_for(population) == amount:
                rate = rule.rate
        else:
            if rule is None:
                row.error(
                    _("No dues rule is set for %(category)s in %(year)s: give « %(column)s », "
                      "or import the dues rules first.")
                    % {"category": MembershipCategory(category).label, "year": values["year"],
                       "column": self.column_label("amount")}
                )  # fmt: skip
                return None
            if rule.mode == DuesMode.PER_INHABITANT:
                if population is None and organisation is not None:
                    population = organisation.population()
                if population is None:
                    row.error(
                        _("These dues are per inhabitant: give « %(column)s », or the "
                          "organisation's inhabitants or commune in the directory.")
                        % {"column": self.column_label("population")}
                    )  # fmt: skip
                    return None
                rate = rule.rate
            amount = rule.amount_for(population)
        recorded = membership.recorded_status if membership else ""
        cancelled_at = membership.cancelled_at if membership else None
        status = values["status"]
        if status == MembershipStatus.CANCELLED:
            cancelled_at = cancelled_at or self.now
        elif status is not None and cancelled_at is not None:
            if recorded != MembershipStatus.CANCELLED:
                row.error(
                    _("« %(column)s » : this membership was cancelled in the portal; an import "
                      "does not restore it.") % {"column": self.column_label("status")}
                )  # fmt: skip
                return None
            cancelled_at = None  # cancelled by an earlier import: the file corrects it
        return {
            "category": category,
            "population_used": population,
            "rate_used": rate,
            "amount": amount,
            "recorded_status": status if status is not None else recorded,
            "cancelled_at": cancelled_at,
        }

    def save(self, rows: list[Row]) -> None:
        created = [row.record for row in rows if row.change == CREATE]
        updated = [row for row in rows if row.change == UPDATE]
        Membership.objects.bulk_create(created, batch_size=BATCH)
        Membership.objects.bulk_update(
            [row.record for row in updated], MEMBERSHIP_FIELDS, batch_size=BATCH
        )
        self.progress("saving", len(created) + len(updated), len(created) + len(updated))
        audit_log_many(
            actor=self.actor,
            action="membership.imported",
            entries=[
                *(
                    (
                        membership,
                        {
                            "amount": membership.amount,
                            "population": membership.population_used,
                            "rate": membership.rate_used,
                            "status": membership.recorded_status,
                            "source": "import",
                        },
                    )
                    for membership in created
                ),
                *((row.record, self.before[row.line] | {"source": "import"}) for row in updated),
            ],
        )
        if created or updated:
            page_cache_invalidate()  # bulk writes send no signal
