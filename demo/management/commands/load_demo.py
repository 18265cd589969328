from django.core.management.base import BaseCommand

from portal.core.demo import DEMO_PASSWORD, DEMO_USERS, load_all_demos


class Command(BaseCommand):
    help = "Load the demo data (safe to run again: nothing is created twice)."

    def handle(self, *args, **options) -> None:
        load_all_demos()
        logins = ", ".join(email for email, *_rest in DEMO_USERS)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded. Logins: {logins} / {DEMO_PASSWORD}")
        )
