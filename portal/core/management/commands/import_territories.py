"""Import INSEE's territory files from the shell: the importers of the back office's import
pages (portal/core/imports.py), run through the engine without a job."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.core.imports import EpciImporter, PopulationImporter, department_code
from portal.core.sheets.columns import CellError, split_list
from portal.core.sheets.engine import import_check
from portal.core.territories import (
    TerritoryImportError,
    file_read,
    outcome_problems,
    outcome_summary,
    territory_file_save,
)


class Command(BaseCommand):
    help = (
        "Import communes with their legal population, and the communes' EPCI, from INSEE's "
        "files (CSV, XLSX or ODS; columns in portal/core/imports.py). Both files or none."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "communes", type=Path, nargs="?", help="legal populations (DEP, COM, Commune, PMUN…)"
        )
        parser.add_argument("--epci", type=Path, help="commune → EPCI (CODGEO, EPCI, LIBEPCI)")
        parser.add_argument("--year", type=int, help="year of the legal populations")
        parser.add_argument(
            "--departments", help="comma-separated département codes to keep, e.g. 95,78,92"
        )
        parser.add_argument(
            "--approximate", action="store_true", help="mark the populations as approximate"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the files and say what would change"
        )

    def handle(self, *args, **options) -> None:
        if not options["communes"] and not options["epci"]:
            raise CommandError(_("Give the populations file, the EPCI file (--epci), or both."))
        try:
            codes = [department_code(code) for code in split_list(options["departments"] or "")]
        except CellError as error:
            raise CommandError(str(error)) from None
        steps = []
        if options["communes"]:
            population_options = {
                "departments": codes,
                "year": options["year"],
                "approximate": options["approximate"],
            }
            steps.append((PopulationImporter(options=population_options), options["communes"]))
        if options["epci"]:
            steps.append((EpciImporter(options={"departments": codes}), options["epci"]))
        try:
            with transaction.atomic():
                for importer, path in steps:
                    self._run(importer, Path(path), dry_run=options["dry_run"])
        except TerritoryImportError as error:
            raise CommandError(str(error)) from None

    def _run(self, importer, path: Path, *, dry_run: bool) -> None:
        data = file_read(path)
        if dry_run:
            outcome = import_check(importer, data)
            if outcome.file_errors or outcome.error_rows:
                raise TerritoryImportError(outcome_problems(outcome))
        else:
            outcome = territory_file_save(importer, data)
        self.stdout.write(self.style.SUCCESS(f"{path.name} : {outcome_summary(outcome)}"))
