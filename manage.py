#!/usr/bin/env python
"""Django's command-line utility for administrative tasks.

On a development machine (DEBUG=1) it first starts the embedded PostgreSQL and Redis
(portal/embedded.py) for whichever of DATABASE_URL / REDIS_URL is unset, as `make run` does;
with DEBUG off the settings require both.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    from portal import embedded

    embedded.ensure_for_development()
    try:
        execute_from_command_line(sys.argv)
    except OperationalError as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        sys.exit(
            f"Configuration error: the database named by DATABASE_URL is unreachable ({reason}). "
            "Set DATABASE_URL to a running PostgreSQL server, or unset it to use the embedded one "
            "(DEBUG=1)."
        )


if __name__ == "__main__":
    main()
