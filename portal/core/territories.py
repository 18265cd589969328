"""Import of the official INSEE files into Department, Epci and Commune.

Two CSV files, as INSEE publishes them (semicolon or comma separated, UTF-8):
- legal populations: columns DEP, Département, COM (INSEE code), Commune, PMUN
  (or PTOT), as in « donnees_communes.csv » of the census;
- commune → EPCI: columns CODGEO, EPCI, LIBEPCI and optionally NATURE_EPCI, as in the
  « Composition_communale » sheet of « Intercommunalité - Métropole ».
Rows are upserted: importing a newer file updates names, populations and EPCIs.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from portal.core.models import Commune, Department, Epci

POPULATION_COLUMNS = ("PMUN", "PTOT")
# The communes and EPCIs of the centre's members, with approximate populations, for the demo.
DEMO_DATA = Path(__file__).resolve().parent / "data"


class TerritoryImportError(ValueError):
    """The file cannot be imported; the message says why, in French."""


@dataclass
class ImportReport:
    departments: int = 0
    communes: int = 0
    epcis: int = 0
    linked: int = 0
    skipped: list[str] = field(default_factory=list)


def _read_rows(path: Path, required: set[str]) -> list[dict[str, str]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TerritoryImportError(
            _("%(file)s is not a UTF-8 text file.") % {"file": path.name}
        ) from None
    except OSError as exc:
        raise TerritoryImportError(
            _("%(file)s cannot be read: %(error)s") % {"file": path, "error": exc.strerror}
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    columns = {name.strip() for name in reader.fieldnames or []}
    missing = required - columns
    if missing:
        raise TerritoryImportError(
            _("%(file)s lacks the columns %(columns)s.")
            % {"file": path.name, "columns": ", ".join(sorted(missing))}
        )
    return [
        {key.strip(): (value or "").strip() for key, value in row.items() if key} for row in reader
    ]


def _population(row: dict[str, str], line: int) -> int | None:
    raw = next((row[c] for c in POPULATION_COLUMNS if row.get(c)), "")
    if not raw:
        return None
    try:
        value = int(raw.replace(" ", "").replace("\u202f", ""))
    except ValueError:
        raise TerritoryImportError(
            _("Line %(line)s: the population %(value)s is not a whole number.")
            % {"line": line, "value": raw}
        ) from None
    if value < 0:
        raise TerritoryImportError(
            _("Line %(line)s: the population cannot be negative.") % {"line": line}
        )
    return value


@transaction.atomic
def territories_import(
    *,
    communes_file: Path,
    epci_file: Path | None = None,
    population_year: int | None = None,
    departments: set[str] | None = None,
    approximate: bool = False,
) -> ImportReport:
    """Upsert départements and communes, then link communes to their EPCI.

    All or nothing: any invalid line stops the import before anything is saved.
    `departments` restricts the import to those codes (e.g. the centre's area).
    """
    report = ImportReport()
    rows = _read_rows(communes_file, {"DEP", "COM", "Commune"})
    department_names: dict[str, str] = {}
    communes: list[Commune] = []
    for line, row in enumerate(rows, start=2):
        code = row["DEP"]
        if departments and code not in departments:
            continue
        if len(row["COM"]) != 5:
            raise TerritoryImportError(
                _("Line %(line)s: %(code)s is not a 5-character INSEE code.")
                % {"line": line, "code": row["COM"]}
            )
        department_names.setdefault(code, row.get("Département") or code)
        communes.append(
            Commune(
                insee_code=row["COM"],
                name=row["Commune"],
                department_id=code,  # replaced by the primary key below
                population=_population(row, line),
                population_year=population_year,
                population_is_approximate=approximate,
            )
        )
    Department.objects.bulk_create(
        [Department(code=code, name=name) for code, name in department_names.items()],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name"],
    )
    department_ids = dict(Department.objects.values_list("code", "pk"))
    for commune in communes:
        commune.department_id = department_ids[commune.department_id]
    Commune.objects.bulk_create(
        communes,
        update_conflicts=True,
        unique_fields=["insee_code"],
        update_fields=[
            "name",
            "department",
            "population",
            "population_year",
            "population_is_approximate",
        ],
        batch_size=2000,
    )
    report.departments, report.communes = len(department_names), len(communes)
    if epci_file is not None:
        _link_epcis(epci_file, report)
    return report


def _link_epcis(epci_file: Path, report: ImportReport) -> None:
    rows = _read_rows(epci_file, {"CODGEO", "EPCI", "LIBEPCI"})
    epcis = {
        row["EPCI"]: Epci(
            siren=row["EPCI"], name=row["LIBEPCI"], legal_form=row.get("NATURE_EPCI", "")
        )
        for row in rows
        if row["EPCI"] and row["EPCI"] != "ZZZZZZZZZ"  # INSEE's code for "no EPCI"
    }
    Epci.objects.bulk_create(
        list(epcis.values()),
        update_conflicts=True,
        unique_fields=["siren"],
        update_fields=["name", "legal_form"],
    )
    epci_ids = dict(Epci.objects.values_list("siren", "pk"))
    communes = {
        c.insee_code: c for c in Commune.objects.filter(insee_code__in=[r["CODGEO"] for r in rows])
    }
    for row in rows:
        commune = communes.get(row["CODGEO"])
        if commune is None:
            continue
        commune.epci_id = epci_ids.get(row["EPCI"])
    Commune.objects.bulk_update(communes.values(), ["epci"], batch_size=2000)
    report.epcis, report.linked = len(epcis), len(communes)
