"""People's names and street names for the demo and the benchmarks' dataset: Faker's
`fr_FR` provider, seeded, so that every run draws the same people (Faker is locked)."""

from __future__ import annotations

from faker import Faker


def french_faker(seed: int) -> Faker:
    """A French Faker of its own, seeded: the same names in the same order on every run."""
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    return fake
