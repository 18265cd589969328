"""Spreadsheet import of the dues rules: what each category pays in a year, as the
board voted it (a rate per inhabitant, or a flat amount). The memberships' import prices
a year by them; changing a rule never reprices a membership already priced. Rules created
or changed are audited: they are money.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.imports.readers import (
    CATEGORY_ALIASES,
    DUES_MODE,
    MAX_AMOUNT,
    MEMBERSHIP_CATEGORY,
    YEAR,
    YEAR_ALIASES,
    YEAR_HELP,
    changes_of,
)
from members.models import DuesMode, DuesRule, MembershipCategory
from portal.core.pagecache import page_cache_invalidate
from portal.core.services import audit_log_many
from portal.core.sheets import columns as read
from portal.core.sheets.columns import Column
from portal.core.sheets.engine import CREATE, UNCHANGED, UPDATE, Importer, Row
from portal.core.sheets.registry import register

MAX_RATE = Decimal(10**4)  # the column's eight digits, four of them decimals
RULE_FIELDS = ("mode", "rate", "flat_amount")


@register
class DuesRuleImporter(Importer):
    key = "members.dues_rules"
    title = gettext_lazy("Dues rules")
    help = gettext_lazy(
        "One line per category and year, as the board voted it: a rate per inhabitant or a "
        "flat amount. A rule already set for the category and year is updated; memberships "
        "already priced keep their dues."
    )
    model = DuesRule
    order = 40
    columns = (
        Column("year", gettext_lazy("Year"), YEAR, required=True, aliases=YEAR_ALIASES,
               help=YEAR_HELP),
        Column("category", gettext_lazy("Category"), MEMBERSHIP_CATEGORY, required=True,
               aliases=CATEGORY_ALIASES, allowed=MEMBERSHIP_CATEGORY.allowed,
               help=gettext_lazy("The category of members the rule prices.")),
        Column("mode", gettext_lazy("Mode"), DUES_MODE, allowed=DUES_MODE.allowed,
               aliases=("mode de calcul", "calcul"),
               help=gettext_lazy("Per inhabitant or flat amount; empty: given by the column "
                                 "filled in.")),
        Column("rate", gettext_lazy("Rate per inhabitant (€)"), read.decimal(places=4),
               aliases=("tarif par habitant", "taux", "montant par habitant", "par habitant"),
               help=gettext_lazy("For dues per inhabitant: 0,04 for 4 cents.")),
        Column("flat_amount", gettext_lazy("Flat amount (€)"), read.decimal(),
               aliases=("montant forfaitaire", "montant", "forfait"),
               help=gettext_lazy("For flat dues: the amount of the year.")),
    )  # fmt: skip

    def row_key(self, row: Row):
        return (row.values["year"], row.values["category"])

    def check(self, rows: list[Row]) -> None:
        years = {row.values["year"] for row in rows}
        rules = {(r.year, r.category): r for r in DuesRule.objects.filter(year__in=years)}
        self.before: dict[int, dict] = {}
        for row in rows:
            target = self._target(row)
            if target is None:
                continue
            values = row.values
            rule = rules.get((values["year"], values["category"]))
            row.label = f"{MembershipCategory(values['category']).label} {values['year']}"
            if rule is None:
                rule = DuesRule(year=values["year"], category=values["category"], **target)
                row.change = CREATE
            else:
                self.before[row.line] = changes_of(rule, target)
                row.change = UPDATE if self.before[row.line] else UNCHANGED
                for name, value in target.items():
                    setattr(rule, name, value)
            row.record = rule

    def _target(self, row: Row) -> dict | None:
        values = row.values
        rate, flat = values["rate"], values["flat_amount"]
        mode = values["mode"]
        if mode is None and (rate is None) != (flat is None):
            mode = DuesMode.PER_INHABITANT if rate is not None else DuesMode.FLAT
        labels = {name: self.column_label(name) for name in ("rate", "flat_amount", "mode")}
        if mode is None and rate is not None:
            row.error(_("Give « %(rate)s » or « %(flat_amount)s », not both.") % labels)
        elif mode is None:
            row.error(
                _("Give « %(rate)s » for dues per inhabitant, or « %(flat_amount)s ».") % labels
            )
        elif mode == DuesMode.PER_INHABITANT:
            if not rate or rate >= MAX_RATE:
                row.error(_("Dues per inhabitant need « %(rate)s », more than 0.") % labels)
            if flat is not None:
                row.error(_("Dues per inhabitant have no « %(flat_amount)s ».") % labels)
        else:
            if flat is None or flat >= MAX_AMOUNT:
                row.error(_("Flat dues need « %(flat_amount)s ».") % labels)
            if rate is not None:
                row.error(_("Flat dues have no « %(rate)s ».") % labels)
        if row.errors:
            return None
        return {"mode": mode, "rate": rate, "flat_amount": flat}

    def save(self, rows: list[Row]) -> None:
        created = [row.record for row in rows if row.change == CREATE]
        updated = [row for row in rows if row.change == UPDATE]
        DuesRule.objects.bulk_create(created)
        DuesRule.objects.bulk_update([row.record for row in updated], RULE_FIELDS)
        audit_log_many(
            actor=self.actor,
            action="dues_rule.imported",
            entries=[
                *((rule, {name: getattr(rule, name) for name in RULE_FIELDS}) for rule in created),
                *((row.record, self.before[row.line]) for row in updated),
            ],
        )
        if created or updated:
            page_cache_invalidate()  # bulk writes send no signal
