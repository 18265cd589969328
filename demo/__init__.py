"""The demo data loaded by `make run` (`manage.py load_demo`): never imported by the product.

Each module fills one part of the portal from the facts of ../shared/seeds, idempotently:
`load()` runs them in the order they depend on one another. The `demo` app is installed
by name in the settings only so that `manage.py load_demo` finds its command.
"""

from __future__ import annotations

from pathlib import Path

# The communes and EPCIs of the centre's members, with approximate populations.
DATA = Path(__file__).resolve().parent / "data"


def load() -> None:
    """Load every part of the demo (safe to run again: nothing is created twice)."""
    # Imported here: this package is imported with the app registry, before the models.
    from demo import core, events, infodoc, members, newsletter, publications, reports

    # The site and the logins, the report's team and funders, then the apps in their order.
    for part in (core, reports, members, events, publications, infodoc, newsletter):
        part.load_demo()
