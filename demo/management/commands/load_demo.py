from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo import load
from demo.core import DEMO_PASSWORD, DEMO_USERS

REFUSAL = (
    "DEBUG is off: the demo data is for development (its logins share a published "
    "password). Run it with DEBUG=1, or add --force to load it anyway."
)


class Command(BaseCommand):
    help = (
        "Load the demo data (safe to run again: nothing is created twice). "
        "Refuses with DEBUG off unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Load the demo even with DEBUG off."
        )

    def handle(self, *args, force: bool, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(REFUSAL)
        load()
        logins = ", ".join(email for email, *_rest in DEMO_USERS)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded. Logins: {logins} / {DEMO_PASSWORD}")
        )
