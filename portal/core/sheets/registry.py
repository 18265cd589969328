"""Every import of the portal, found in the apps' `imports` modules.

An app declares its importers in `<app>/imports.py` (or an `imports/` package) with the
`@register` decorator, as Django's admin finds `admin.py`; the back office lists them in
their `order`, the order in which a centre moves in (README).
"""

from __future__ import annotations

from functools import cache

from django.utils.module_loading import autodiscover_modules

from portal.core.sheets.engine import Importer

_IMPORTERS: dict[str, type[Importer]] = {}


def register(importer: type[Importer]) -> type[Importer]:
    if importer.key in _IMPORTERS and _IMPORTERS[importer.key] is not importer:
        raise ValueError(f"Two importers have the key {importer.key!r}.")
    _IMPORTERS[importer.key] = importer
    return importer


@cache
def _discovered() -> None:
    autodiscover_modules("imports")


def importers() -> list[type[Importer]]:
    """Every importer, in the order of moving in."""
    _discovered()
    return sorted(_IMPORTERS.values(), key=lambda importer: (importer.order, importer.key))


def importer_title(key: str) -> str:
    """What staff call the import `key` (the key itself for an import that went away)."""
    try:
        return str(importer_for(key).title)
    except LookupError:
        return key


def importer_for(key: str) -> type[Importer]:
    """The importer with this key; LookupError when there is none."""
    _discovered()
    try:
        return _IMPORTERS[key]
    except KeyError:
        raise LookupError(key) from None
