from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.core.territories import TerritoryImportError, territories_import


class Command(BaseCommand):
    help = (
        "Import communes with their legal population and their EPCI from the INSEE CSV files "
        "(see portal/core/territories.py for the expected columns)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("communes", type=Path, help="legal populations CSV (DEP, COM, PMUN…)")
        parser.add_argument("--epci", type=Path, help="commune → EPCI CSV (CODGEO, EPCI, LIBEPCI)")
        parser.add_argument("--year", type=int, help="year of the legal populations")
        parser.add_argument(
            "--departments", help="comma-separated département codes to keep, e.g. 95,78,92"
        )
        parser.add_argument(
            "--approximate", action="store_true", help="mark the populations as approximate"
        )

    def handle(self, *args, **options) -> None:
        departments = {c.strip() for c in (options["departments"] or "").split(",") if c.strip()}
        try:
            report = territories_import(
                communes_file=Path(options["communes"]),
                epci_file=Path(options["epci"]) if options["epci"] else None,
                population_year=options["year"],
                departments=departments or None,
                approximate=options["approximate"],
            )
        except TerritoryImportError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.departments} départements, {report.communes} communes, "
                f"{report.epcis} EPCI ({report.linked} communes linked)."
            )
        )
