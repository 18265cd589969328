"""Whom a privacy request is about: shared by every app's privacy module."""

from __future__ import annotations

from dataclasses import dataclass

from members.models import Person


@dataclass(frozen=True)
class DataSubject:
    """Whom a request is about: an email address, and the directory record it belongs to."""

    email: str  # lower-cased, stripped
    person: Person | None  # members.Person with that email (case-insensitive), if any
