"""The dataset generator as a command: `python -m bench.dataset --years 10 [--seed N]
[--scale F] [--force]`, or `call_command(Command(), years=10, …)` in process."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from bench.dataset import DatasetError, generate, reference_date


class Command(BaseCommand):
    help = (
        "Fill an empty database with a realistic, reproducible dataset: members and dues, "
        "events and attendance, info-doc, publications, newsletter, over --years years "
        "ending on 1 July of the current year."
    )

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=10, help="Years of history (10).")
        parser.add_argument("--seed", type=int, default=0, help="Random seed (0).")
        parser.add_argument(
            "--scale", type=float, default=1.0,
            help="Multiplies every volume, e.g. 0.01 for a tiny dataset (1.0).",
        )  # fmt: skip
        parser.add_argument(
            "--force", action="store_true",
            help="Delete the data of members, events, publications, info-doc and newsletter "
            "first (territories, themes and users are kept).",
        )  # fmt: skip

    def handle(self, *args, years, seed, scale, force, **options):
        started = time.monotonic()
        try:
            context = generate(years=years, seed=seed, scale=scale, force=force)
        except DatasetError as error:
            raise CommandError(str(error)) from None
        counts = context.counts
        width = max(map(len, counts))
        for name, count in counts.items():
            self.stdout.write(f"{name:<{width}}  {count:>10,}".replace(",", "\u202f"))
        if options["verbosity"] > 1:
            for name, seconds in context.timings.items():
                self.stdout.write(f"{name}: {seconds:.1f} s")
        self.stdout.write(
            self.style.SUCCESS(
                f"Dataset generated (seed {seed}, {years} years to {reference_date():%d/%m/%Y}) "
                f"in {time.monotonic() - started:.1f} s."
            )
        )
