from django.core.management.base import BaseCommand

from demo import load
from demo.core import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Load the demo data (safe to run again: nothing is created twice)."

    def handle(self, *args, **options) -> None:
        load()
        logins = ", ".join(email for email, *_rest in DEMO_USERS)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded. Logins: {logins} / {DEMO_PASSWORD}")
        )
