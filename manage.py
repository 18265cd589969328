#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except OperationalError as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        sys.exit(
            f"Configuration error: the database named by DATABASE_URL is unreachable ({reason}). "
            "Set DATABASE_URL to a running PostgreSQL server, or unset it to use the embedded one."
        )


if __name__ == "__main__":
    main()
