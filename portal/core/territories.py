"""INSEE's territory files imported outside the back office: by the command
`import_territories` (and the demo data), through the same importers as the import pages
(portal.core.imports) and the engine's own check and save, without a job.
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from portal.core.imports import EpciImporter, PopulationImporter
from portal.core.sheets.engine import CREATE, UNCHANGED, UPDATE, Importer, Outcome, import_save

SHOWN_ERRORS = 20


class TerritoryImportError(ValueError):
    """The file cannot be imported; the message says why, in French."""


def file_read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise TerritoryImportError(
            _("%(file)s cannot be read: %(error)s") % {"file": path, "error": error.strerror}
        ) from None


def outcome_problems(outcome: Outcome) -> str:
    """What stops the file, in French: its own errors, else its first lines in error."""
    problems = list(outcome.file_errors)
    for row in outcome.error_rows[:SHOWN_ERRORS]:
        problems.append(
            _("Line %(line)s: %(errors)s") % {"line": row.line, "errors": " ".join(row.errors)}
        )
    more = len(outcome.error_rows) - SHOWN_ERRORS
    if more > 0:
        problems.append(_("And %(count)s more lines with errors.") % {"count": more})
    return "\n".join(problems)


def outcome_summary(outcome: Outcome) -> str:
    counts = outcome.counts()
    return _("%(new)s new, %(updated)s updated, %(unchanged)s unchanged or left aside.") % {
        "new": counts[CREATE],
        "updated": counts[UPDATE],
        "unchanged": counts[UNCHANGED],
    }


def territory_file_save(importer: Importer, data: bytes) -> Outcome:
    """Check and save the file, or raise TerritoryImportError with what is wrong."""
    outcome = import_save(importer, data)
    if not outcome.saved:
        raise TerritoryImportError(outcome_problems(outcome))
    return outcome


@transaction.atomic
def territories_import(
    *,
    communes_file: Path,
    epci_file: Path | None = None,
    population_year: int | None = None,
    departments: set[str] | None = None,
    approximate: bool = False,
) -> list[Outcome]:
    """The populations file, then the EPCI file if any: both or nothing.

    `departments` keeps those codes only (the centre's area); `approximate` marks the
    populations as not the official ones (the demo's)."""
    options = {"departments": sorted(departments or [])}
    population_options = {**options, "year": population_year, "approximate": approximate}
    outcomes = [
        territory_file_save(
            PopulationImporter(options=population_options), file_read(communes_file)
        )
    ]
    if epci_file is not None:
        outcomes.append(territory_file_save(EpciImporter(options=options), file_read(epci_file)))
    return outcomes
