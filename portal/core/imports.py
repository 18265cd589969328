"""Spreadsheet imports of the core app (portal.core.sheets): the territories, from INSEE.

INSEE publishes two files, each imported on its own, the populations first:
- the legal populations (« Populations légales », donnees_communes): DEP, Département,
  COM (the commune's INSEE code), Commune, PMUN (or PTOT);
- the communes' EPCI (« Intercommunalité - Métropole », its Composition_communale
  sheet): CODGEO, EPCI (the SIREN), LIBEPCI, NATURE_EPCI.
A département is its code, a commune its INSEE code, an EPCI its SIREN: a newer file
updates names, populations and EPCIs and never duplicates. The whole of France (35,000
communes) is written in bulk upserts. Staff may keep some départements only: the lines of
the others, and the EPCI of a commune the portal does not hold, are left aside (counted as
unchanged). The command `import_territories` and the demo run these same importers.

Territories are reference data staff only view; importing INSEE's files is open to staff
who may import (core.add_importjob).
"""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.core.models import Commune, Department, Epci
from portal.core.pagecache import page_cache_invalidate
from portal.core.sheets import columns as read
from portal.core.sheets.columns import CellError, Column, cell_text
from portal.core.sheets.engine import CREATE, UNCHANGED, UPDATE, Importer, Row
from portal.core.sheets.registry import register

BATCH = 2000
NO_EPCI = "ZZZZZZZZZ"  # INSEE's SIREN for « no EPCI »
_DEPARTMENT = re.compile(r"[0-9]{2,3}|2[AB]")
_INSEE = re.compile(r"[0-9][0-9AB][0-9]{3}")


def department_code(value, lookups=None) -> str:
    """95, 2A, 971; « 1 » for 01 (a spreadsheet drops the leading zero)."""
    code = cell_text(value).upper()
    if code.isdigit() and len(code) == 1:
        code = code.zfill(2)
    if not _DEPARTMENT.fullmatch(code):
        raise CellError(
            _("“%(value)s” is not a département code (95, 2A, 971).") % {"value": cell_text(value)}
        )
    return code


def insee_code(value, lookups=None) -> str:
    """A commune's five characters: 95127, 2A004; « 1001 » for 01001."""
    code = cell_text(value).upper()
    if code.isdigit() and len(code) == 4:
        code = code.zfill(5)
    if not _INSEE.fullmatch(code):
        raise CellError(
            _("“%(value)s” is not a 5-character INSEE code.") % {"value": cell_text(value)}
        )
    return code


def siren(value, lookups=None) -> str:
    """Nine digits, or INSEE's ZZZZZZZZZ for a commune in no EPCI."""
    code = re.sub(r"\s", "", cell_text(value)).upper()
    if code != NO_EPCI and not re.fullmatch(r"[0-9]{9}", code):
        raise CellError(
            _("“%(value)s” is not a SIREN (nine digits, or ZZZZZZZZZ for none).")
            % {"value": cell_text(value)}
        )
    return code


# Options -----------------------------------------------------------------------------------


class TerritoryOptionsForm(forms.Form):
    departments = forms.CharField(
        label=gettext_lazy("Départements to keep"),
        required=False,
        max_length=400,
        help_text=gettext_lazy(
            "Their codes separated by commas: 95, 78, 92. Empty: every département of the file."
        ),
    )

    def clean_departments(self) -> list[str]:
        codes = []
        for part in read.split_list(self.cleaned_data.get("departments") or ""):
            try:
                code = department_code(part)
            except CellError as error:
                raise forms.ValidationError(str(error)) from None
            if code not in codes:
                codes.append(code)
        return codes


class PopulationOptionsForm(TerritoryOptionsForm):
    year = forms.IntegerField(
        label=gettext_lazy("Year of the populations"),
        min_value=1800,
        max_value=2200,
        help_text=gettext_lazy(
            "The year INSEE gives them for: 2021 for « Populations légales 2021 »."
        ),
    )
    field_order = ["year", "departments"]


# The importers -----------------------------------------------------------------------------


class TerritoryImporter(Importer):
    """What both INSEE imports share: who may run them and the départements kept."""

    @classmethod
    def allowed(cls, user) -> bool:
        return user.is_active and user.is_staff and user.has_perm("core.add_importjob")

    def kept(self, code: str) -> bool:
        departments = self.options.get("departments")
        return not departments or code in departments

    def left_aside(self, row: Row, label: str) -> None:
        row.change = UNCHANGED
        row.label = label

    @staticmethod
    def changed(rows: list[Row]) -> list[Row]:
        return [row for row in rows if row.change in (CREATE, UPDATE)]


@register
class PopulationImporter(TerritoryImporter):
    key = "core.populations"
    title = gettext_lazy("Communes and their legal populations (INSEE)")
    help = gettext_lazy(
        "INSEE's file of legal populations (donnees_communes), as CSV, XLSX or ODS: one line "
        "per commune with its département. Communes and départements are created or "
        "updated by their codes; import it before the EPCI file."
    )
    model = Commune
    order = 10
    options_form = PopulationOptionsForm
    columns = (
        Column("department", "DEP", department_code, required=True,
               aliases=("code département", "code du département", "département code"),
               help=gettext_lazy("The département's code: 95, 2A, 971.")),
        Column("department_name", gettext_lazy("Département"), read.text(100),
               aliases=("nom du département", "libellé du département"),
               help=gettext_lazy("The département's name; empty: its code.")),
        Column("insee_code", "COM", insee_code, required=True,
               aliases=("code commune", "code INSEE", "CODGEO", "DEPCOM"),
               help=gettext_lazy("The commune's INSEE code, five characters: 95127.")),
        Column("name", gettext_lazy("Commune"), read.text(150), required=True,
               aliases=("nom de la commune", "LIBGEO", "libellé de la commune"),
               help=gettext_lazy("The commune's name.")),
        Column("pmun", "PMUN", read.integer(), aliases=("population municipale",),
               help=gettext_lazy("The municipal population, the legal one.")),
        Column("ptot", "PTOT", read.integer(), aliases=("population totale",),
               help=gettext_lazy("The total population, used when PMUN is empty.")),
    )  # fmt: skip

    def row_key(self, row: Row):
        return row.values["insee_code"]

    def _wanted(self, row: Row) -> tuple:
        values = row.values
        population = values["pmun"] if values["pmun"] is not None else values["ptot"]
        return (
            values["name"],
            values["department"],
            population,
            self.options.get("year"),
            bool(self.options.get("approximate")),
        )

    def check(self, rows: list[Row]) -> None:
        known = {
            code: rest
            for code, *rest in Commune.objects.values_list(
                "insee_code", "name", "department__code", "population", "population_year",
                "population_is_approximate",
            )
        }  # fmt: skip
        for row in rows:
            values = row.values
            label = f"{values['name']} ({values['insee_code']})"
            if not self.kept(values["department"]):
                self.left_aside(
                    row,
                    _("%(commune)s: département %(department)s left aside")
                    % {"commune": label, "department": values["department"]},
                )
                continue
            row.label = label
            if not values["insee_code"].startswith(values["department"]):
                row.error(
                    _("The INSEE code %(code)s is not one of the département %(department)s.")
                    % {"code": values["insee_code"], "department": values["department"]}
                )
                continue
            current = known.get(values["insee_code"])
            if current is None:
                row.change = CREATE
            else:
                row.change = UNCHANGED if tuple(current) == self._wanted(row) else UPDATE

    def save(self, rows: list[Row]) -> None:
        names: dict[str, str] = {}
        for row in rows:
            code = row.values["department"]
            if self.kept(code) and not names.get(code):
                names[code] = row.values["department_name"] or ""
        self._departments_save(names)
        department_ids = dict(Department.objects.values_list("code", "pk"))
        communes = []
        for row in self.changed(rows):
            name, department, population, year, approximate = self._wanted(row)
            communes.append(
                Commune(
                    insee_code=row.values["insee_code"], name=name,
                    department_id=department_ids[department], population=population,
                    population_year=year, population_is_approximate=approximate,
                )
            )  # fmt: skip
        for start in range(0, len(communes), BATCH):
            Commune.objects.bulk_create(
                communes[start : start + BATCH],
                update_conflicts=True,
                unique_fields=["insee_code"],
                update_fields=[
                    "name", "department", "population", "population_year",
                    "population_is_approximate",
                ],
            )  # fmt: skip
            self.progress("saving", min(start + BATCH, len(communes)), len(communes))
        page_cache_invalidate()

    @staticmethod
    def _departments_save(names: dict[str, str]) -> None:
        """New départements, and the names the file gives (an empty name keeps the one
        known, or is the code for a new one)."""
        Department.objects.bulk_create(
            [Department(code=code, name=name) for code, name in names.items() if name],
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name"],
        )
        Department.objects.bulk_create(
            [Department(code=code, name=code) for code, name in names.items() if not name],
            ignore_conflicts=True,
        )


@register
class EpciImporter(TerritoryImporter):
    key = "core.epci"
    title = gettext_lazy("Communes' EPCI (INSEE)")
    help = gettext_lazy(
        "INSEE's composition of the EPCI (« Intercommunalité - Métropole »): the sheet "
        "« Composition_communale », saved alone as CSV or placed first in the workbook. One "
        "line per commune with its EPCI; the EPCI are created or updated by their SIREN. "
        "Communes the portal does not hold are left aside: import the populations first."
    )
    model = Epci
    order = 11
    options_form = TerritoryOptionsForm
    columns = (
        Column("insee_code", "CODGEO", insee_code, required=True,
               aliases=("COM", "code commune", "code INSEE", "DEPCOM"),
               help=gettext_lazy("The commune's INSEE code, five characters: 95127.")),
        Column("siren", "EPCI", siren, required=True,
               aliases=("SIREN", "SIREN de l'EPCI", "code EPCI"),
               help=gettext_lazy("The EPCI's SIREN (nine digits); ZZZZZZZZZ: no EPCI.")),
        Column("name", "LIBEPCI", read.text(200),
               aliases=("nom de l'EPCI", "libellé de l'EPCI", "nom EPCI"),
               help=gettext_lazy("The EPCI's name.")),
        Column("legal_form", "NATURE_EPCI", read.text(10),
               aliases=("nature", "nature juridique", "forme juridique"),
               help=gettext_lazy("CA, CU, CC, ME, EPT…; empty: the one known stays.")),
    )  # fmt: skip

    def row_key(self, row: Row):
        return row.values["insee_code"]

    def check(self, rows: list[Row]) -> None:
        communes = {
            code: (epci_id, department)
            for code, epci_id, department in Commune.objects.values_list(
                "insee_code", "epci_id", "department__code"
            )
        }
        epcis = {
            code: (pk, name, legal_form)
            for code, pk, name, legal_form in Epci.objects.values_list(
                "siren", "pk", "name", "legal_form"
            )
        }
        for row in rows:
            values = row.values
            commune = communes.get(values["insee_code"])
            if commune is None:
                self.left_aside(
                    row,
                    _("%(code)s: a commune the portal does not hold, left aside")
                    % {"code": values["insee_code"]},
                )
                continue
            current, department = commune
            if not self.kept(department):
                self.left_aside(
                    row,
                    _("%(code)s: département %(department)s left aside")
                    % {"code": values["insee_code"], "department": department},
                )
                continue
            self._row_check(row, current, epcis.get(values["siren"]))

    def _row_check(self, row: Row, current: int | None, epci: tuple | None) -> None:
        values = row.values
        if values["siren"] == NO_EPCI:
            row.label = _("%(code)s: no EPCI") % {"code": values["insee_code"]}
            row.change = UNCHANGED if current is None else UPDATE
            return
        if not values["name"]:
            row.error(_("« %(column)s » is required.") % {"column": self.column_label("name")})
            return
        row.label = f"{values['insee_code']} → {values['name']}"
        if epci is None or epci[0] != current:
            row.change = CREATE if current is None else UPDATE
        elif epci[1] != values["name"] or epci[2] != (values["legal_form"] or epci[2]):
            row.change = UPDATE
        else:
            row.change = UNCHANGED

    def save(self, rows: list[Row]) -> None:
        changed = self.changed(rows)
        epcis: dict[str, tuple[str, str | None]] = {}
        for row in changed:
            if row.values["siren"] != NO_EPCI:
                epcis.setdefault(
                    row.values["siren"], (row.values["name"], row.values["legal_form"])
                )
        for fields, kept in ((["name", "legal_form"], True), (["name"], False)):
            Epci.objects.bulk_create(
                [
                    Epci(siren=code, name=name, legal_form=legal_form or "")
                    for code, (name, legal_form) in epcis.items()
                    if bool(legal_form) is kept
                ],
                update_conflicts=True,
                unique_fields=["siren"],
                update_fields=fields,
            )
        epci_ids = dict(Epci.objects.filter(siren__in=epcis).values_list("siren", "pk"))
        # One UPDATE per EPCI (about 1,250 in France) rather than a CASE over 35,000 rows.
        members: dict[int | None, list[str]] = {}
        for row in changed:
            members.setdefault(epci_ids.get(row.values["siren"]), []).append(
                row.values["insee_code"]
            )
        done = 0
        for epci_id, codes in members.items():
            Commune.objects.filter(insee_code__in=codes).update(epci_id=epci_id)
            done += len(codes)
            self.progress("saving", done, len(changed))
        page_cache_invalidate()
