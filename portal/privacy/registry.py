"""Which apps hold a person's data, in which order, and the privacy contract: what each
app's module provides. This docstring is the one statement of it; the modules refer here.

A contributor is a module `<app>/privacy.py`, named in CONTRIBUTORS, that provides:

- ``MODELS``: the labels ("app.model") of the models whose rows it exports and erases;
- ``KEPT``: {label: why} for the models whose rows stay after an erasure (counted by the
  annual report, pointing only to the anonymised person), each with the reason. Every
  model that can hold a person's data is in an app's MODELS or KEPT
  (tests/privacy/test_coverage.py);
- ``subject_data(*, subject: DataSubject) -> dict[str, list[dict]]``: what the app holds
  on the subject, as {section title: rows}, each row {column label: JSON-ready value}
  (portal.core.subjects.row_from), titles and labels in the active language;
- ``subject_erase(*, subject: DataSubject, placeholder: str) -> dict[str, int]``:
  delete or anonymise the subject's rows, replacing the free text about them with
  `placeholder` (« [effacé] »); returns the rows changed per model label. It runs inside
  the erasure's one transaction, and a second run changes nothing;
- ``traces_since(*, cutoff: datetime) -> list[Q]``: conditions on a members.Person row,
  each true when the person left a trace in the app at or after `cutoff` (a person with
  any trace is kept from retention, portal/privacy/retention.py).

The helpers they share (row_from, label, identifiers_pattern, text_scrub, changes_apply)
are in portal.core.subjects.

The export reads them in CONTRIBUTORS order; the erasure runs them in ERASE_ORDER: the apps
on top first, then members (which anonymises the Person row last of its own work), then
core (which deletes the user account and scrubs the audit trail, so it must see what the
others wrote).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import import_module
from types import ModuleType

from django.apps import apps
from django.utils.translation import gettext_lazy as _

CONTRIBUTORS: tuple[str, ...] = (
    "portal.core.privacy",
    "members.privacy",
    "events.privacy",
    "infodoc.privacy",
    "newsletter.privacy",
)
ERASE_ORDER: tuple[str, ...] = (
    "newsletter.privacy",
    "infodoc.privacy",
    "events.privacy",
    "members.privacy",
    "portal.core.privacy",
)
# The privacy app's own models (it is no contributor: it sits above them all).
OWN_MODELS: dict[str, str] = {
    "privacy.erasurerequest": _(
        "The record of an erasure: the address is emptied once it is done, only its "
        "SHA-256 fingerprint stays; the reason is scrubbed of the person's identifiers."
    ),
    "privacy.retentionrun": _(
        "Counts per retention rule and the staff member who started the run: no data "
        "of the people erased."
    ),
}


@dataclass(frozen=True)
class Contributor:
    """One app's privacy module, with the app it belongs to."""

    module_name: str
    module: ModuleType
    app_label: str

    @property
    def app_name(self) -> str:
        return str(apps.get_app_config(self.app_label).verbose_name)

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(self.module.MODELS)

    @property
    def kept(self) -> dict[str, str]:
        return dict(self.module.KEPT)


@cache
def _contributor(module_name: str) -> Contributor:
    module = import_module(module_name)
    app_config = apps.get_containing_app_config(module_name)
    if app_config is None:
        raise LookupError(f"{module_name} belongs to no installed app.")
    return Contributor(module_name=module_name, module=module, app_label=app_config.label)


def contributors() -> list[Contributor]:
    """The contributors in export order."""
    return [_contributor(name) for name in CONTRIBUTORS]


def contributors_erase_order() -> list[Contributor]:
    """The contributors in the order the erasure runs them."""
    return [_contributor(name) for name in ERASE_ORDER]


def models_declared() -> dict[str, str]:
    """{model label: the module (or "portal.privacy") declaring it} for every declared model."""
    declared = dict.fromkeys(OWN_MODELS, "portal.privacy")
    for contributor in contributors():
        for label in (*contributor.models, *contributor.kept):
            declared.setdefault(label, contributor.module_name)
    return declared


def models_kept() -> dict[str, str]:
    """{model label: why it is kept as it is} over every contributor."""
    kept: dict[str, str] = {}
    for contributor in contributors():
        kept |= {label: str(why) for label, why in contributor.kept.items()}
    return kept
