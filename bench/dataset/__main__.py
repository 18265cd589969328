"""`python -m bench.dataset --years 10 [--seed N] [--scale F] [--force]`: the dataset into
the database of the settings (portal.settings unless DJANGO_SETTINGS_MODULE names others).

The command lives here, outside the product, so that no installed app carries it; its
options, help and errors are those of a management command. Like manage.py, with DEBUG=1
it uses the embedded PostgreSQL and Redis for whichever of DATABASE_URL / REDIS_URL is unset.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    from portal import embedded

    embedded.ensure_for_development()

    django.setup()
    from bench.dataset.command import Command

    Command().run_from_argv(["python -m", "bench.dataset", *sys.argv[1:]])


if __name__ == "__main__":
    main()
