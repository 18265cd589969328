"""Whom a privacy request is about: shared by every app's privacy module (export, erasure).

It lives in core, the lowest layer, so that each app's privacy.py can take it; the
directory record is typed loosely for the same reason (core does not import members).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model


@dataclass(frozen=True)
class DataSubject:
    """Whom a request is about: an email address, and the directory record it belongs to."""

    email: str  # lower-cased, stripped
    person: Model | None  # members.Person with that email (case-insensitive), if any
