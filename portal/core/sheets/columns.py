"""The columns of an import and the readers of their cells.

A `Column` names a value of the row (`key`), the header staff see and its other
spellings, whether it is required, what it holds (in French, for the import page and the
template) and a reader that turns a cell into a value or raises `CellError` with a
message for the person. Readers accept what spreadsheets and people write: « 62 760 »,
« 839,20 € », « 14 h 30 », « 12/03/2023 », « Val-d'Oise » where a code was expected.
References (départements, communes, themes…) are looked up in `Lookups`, loaded once per
import, so a file of 60,000 rows costs a few queries.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import cached_property

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db.models import TextChoices
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.core.models import Commune, Department, Epci, Theme
from portal.core.sheets.writing import FORMULA_START
from portal.core.text import loose_key

Reader = Callable[[object, "Lookups"], object]


class CellError(ValueError):
    """A cell that cannot be read; the message says why, for the person."""


def cell_text(value) -> str:
    """A cell as the text a person sees: numbers without a useless « .0 », dates in French."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M") if value.time() != time() else f"{value:%d/%m/%Y}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value).replace("\u00a0", " ").replace("\u202f", " ").strip()


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    read: Reader
    required: bool = False
    help: str = ""
    aliases: tuple[str, ...] = ()
    # The values a cell may take, for the template's second sheet (None: free).
    allowed: Callable[[], list[str]] | None = None

    def headers(self) -> set[str]:
        """The keys of every spelling of the header (see portal.core.text.loose_key)."""
        return {loose_key(name) for name in (self.label, self.key, *self.aliases)} - {""}


# Lookups -----------------------------------------------------------------------------------


class Lookups:
    """Reference data read once per import and matched loosely."""

    @cached_property
    def departments(self) -> dict[str, Department]:
        found: dict[str, Department] = {}
        for department in Department.objects.all():
            found[department.code.upper()] = department
            found.setdefault(loose_key(department.name), department)
        return found

    @cached_property
    def communes(self) -> dict[str, list[Commune]]:
        found: dict[str, list[Commune]] = {}
        for commune in Commune.objects.select_related("department"):
            found.setdefault(commune.insee_code.upper(), []).append(commune)
            found.setdefault(loose_key(commune.name), []).append(commune)
        return found

    @cached_property
    def epcis(self) -> dict[str, list[Epci]]:
        found: dict[str, list[Epci]] = {}
        for epci in Epci.objects.all():
            found.setdefault(epci.siren, []).append(epci)
            found.setdefault(loose_key(epci.name), []).append(epci)
        return found

    @cached_property
    def themes(self) -> dict[str, Theme]:
        found: dict[str, Theme] = {}
        for theme in Theme.objects.all():
            found.setdefault(loose_key(theme.slug), theme)
            found[loose_key(theme.name)] = theme
        return found


# Readers -----------------------------------------------------------------------------------
# Each receives a cell that is not empty (the Column handles empty ones).


def text(max_length: int) -> Reader:
    def read(value, lookups):
        content = cell_text(value)
        if content[:1] == "'" and content[1:].startswith(FORMULA_START):
            content = content[1:]  # the guard of the portal's own exports
        if content.startswith("="):
            raise CellError(
                _("“%(value)s” is a formula: type the value itself.") % {"value": content}
            )
        if len(content) > max_length:
            raise CellError(
                _("%(length)s characters, more than the %(max)s allowed.")
                % {"length": len(content), "max": max_length}
            )
        return content

    return read


def email(value, lookups) -> str:
    address = "".join(cell_text(value).split()).lower()
    if address.startswith("mailto:"):
        address = address[len("mailto:") :]
    try:
        validate_email(address)
    except ValidationError:
        raise CellError(_("“%(value)s” is not an email address.") % {"value": address}) from None
    return address


def url(value, lookups) -> str:
    address = cell_text(value)
    if address.startswith("www."):
        address = f"https://{address}"
    try:
        URLValidator(schemes=["http", "https"])(address)
    except ValidationError:
        raise CellError(_("“%(value)s” is not a web address.") % {"value": address}) from None
    return address


def _number_text(value) -> str:
    content = cell_text(value)
    return re.sub(r"[\s\u00a0\u202f€]", "", content)


def integer(*, minimum: int = 0, maximum: int = 10**9) -> Reader:
    def read(value, lookups):
        if isinstance(value, float) and not value.is_integer():
            raise CellError(_("“%(value)s” is not a whole number.") % {"value": cell_text(value)})
        content = _number_text(value)
        if not re.fullmatch(r"-?\d+", content):
            raise CellError(_("“%(value)s” is not a whole number.") % {"value": cell_text(value)})
        number = int(content)
        if not minimum <= number <= maximum:
            raise CellError(
                _("%(value)s is not between %(min)s and %(max)s.")
                % {"value": number, "min": minimum, "max": maximum}
            )
        return number

    return read


def decimal(*, places: int = 2, minimum: Decimal = Decimal(0)) -> Reader:
    def read(value, lookups):
        content = _number_text(value).replace(",", ".")
        try:
            number = Decimal(content)
        except InvalidOperation:
            raise CellError(
                _("“%(value)s” is not an amount.") % {"value": cell_text(value)}
            ) from None
        if not number.is_finite() or number < minimum:
            raise CellError(_("“%(value)s” is not an amount.") % {"value": cell_text(value)})
        if number != round(number, places):
            raise CellError(
                _("“%(value)s” has more than %(places)s decimals.")
                % {"value": cell_text(value), "places": places}
            )
        return round(number, places)

    return read


MONTH_NAMES = (
    ("janvier", "janv", "jan"), ("février", "fevr", "fev", "feb"), ("mars", "mar"),
    ("avril", "avr", "apr"), ("mai", "may"), ("juin", "jun"), ("juillet", "juil", "jul"),
    ("août", "aout", "aug"), ("septembre", "sept", "sep"), ("octobre", "oct"),
    ("novembre", "nov"), ("décembre", "dec"),
)  # fmt: skip
MONTHS = {loose_key(name): number for number, names in enumerate(MONTH_NAMES, 1) for name in names}
_NUMERIC_DATE = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_WORDED_DATE = re.compile(r"(\d{1,2})(?:er)?\s+([^\W\d]+)\.?\s+(\d{4})")


def date_value(value, lookups) -> date:
    """12/03/2023, 12/03/23, 2023-03-12, 12.03.2023, « 1er mars 2023 », or a date cell."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    content = cell_text(value).split(" ")[0] if _looks_timed(value) else cell_text(value)
    try:
        if match := _ISO_DATE.fullmatch(content):
            year, month, day = (int(part) for part in match.groups())
            return date(year, month, day)
        if match := _NUMERIC_DATE.fullmatch(content):
            day, month, year = (int(part) for part in match.groups())
            return date(year + 2000 if year < 100 else year, month, day)
        if match := _WORDED_DATE.fullmatch(content.casefold()):
            day, month, year = match.groups()
            return date(int(year), MONTHS[loose_key(month)], int(day))
    except (KeyError, ValueError):
        pass
    raise CellError(_("“%(value)s” is not a date: write it as dd/mm/yyyy.") % {"value": content})


def _looks_timed(value) -> bool:
    return isinstance(value, str) and bool(
        re.fullmatch(r"\S+ \d{1,2}:\d{2}(:\d{2})?", value.strip())
    )


_TIME = re.compile(r"(\d{1,2})\s*(?:h|:|H)\s*(\d{2})?(?::\d{2})?\s*(?:min)?")


def time_value(value, lookups) -> time:
    """14:30, 14h30, 14 h 30, 14h, 9 h or a time cell."""
    if isinstance(value, datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, float) and 0 <= value < 1:  # a day fraction, as spreadsheets store it
        minutes = round(value * 24 * 60)
        return time(minutes // 60, minutes % 60)
    content = cell_text(value)
    match = _TIME.fullmatch(content)
    if match:
        hours, minutes = int(match.group(1)), int(match.group(2) or 0)
        if hours < 24 and minutes < 60:
            return time(hours, minutes)
    raise CellError(
        _("“%(value)s” is not a time: write it as 14:30 or 14 h 30.") % {"value": content}
    )


YES = frozenset(loose_key(word) for word in ("oui", "o", "yes", "y", "vrai", "true", "1", "x"))
NO = frozenset(loose_key(word) for word in ("non", "n", "no", "faux", "false", "0"))


def yes_no(value, lookups) -> bool:
    if isinstance(value, bool):
        return value
    key = loose_key(cell_text(value))
    if key in YES:
        return True
    if key in NO:
        return False
    raise CellError(_("“%(value)s” is neither yes nor no.") % {"value": cell_text(value)})


def yes_no_allowed() -> list[str]:
    return [_("yes"), _("no")]


@dataclass(frozen=True)
class Choice:
    """A choice by its label in French or English, its code, or one of `aliases`
    ({word: value}); exported and listed by its French label."""

    choices: type[TextChoices]
    aliases: dict[str, str] = field(default_factory=dict)
    _keys: dict[str, dict[str, str]] = field(default_factory=dict, compare=False, repr=False)

    def keys(self) -> dict[str, str]:
        """{loose key: value}, built once per language."""
        language = translation.get_language() or ""
        if language not in self._keys:
            self._keys[language] = self._build_keys()
        return self._keys[language]

    def _build_keys(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for choice in self.choices:
            found.setdefault(loose_key(choice.value), choice.value)
            with translation.override("en"):
                found.setdefault(loose_key(str(choice.label)), choice.value)
        for choice in self.choices:
            found[loose_key(str(choice.label))] = choice.value
        for word, choice_value in self.aliases.items():
            found.setdefault(loose_key(word), choice_value)
        return found

    def __call__(self, value, lookups) -> str:
        found = self.keys().get(loose_key(cell_text(value)))
        if found is None:
            raise CellError(
                _("“%(value)s” is not one of: %(choices)s.")
                % {"value": cell_text(value), "choices": ", ".join(self.allowed())}
            )
        return found

    def allowed(self) -> list[str]:
        return [str(choice.label) for choice in self.choices]


def department(value, lookups) -> Department:
    """A code (95, 2A, 971; « 9 » for 09), a name, or both: « Val-d'Oise (95) »."""
    content = cell_text(value)
    coded = re.fullmatch(r".*\((\w{1,3})\)\s*", content)
    code = (coded.group(1) if coded else content).upper()
    if code.isdigit() and len(code) == 1:
        code = code.zfill(2)
    found = lookups.departments.get(code) or lookups.departments.get(loose_key(content))
    if found is None:
        raise CellError(_("“%(value)s” is not a known département.") % {"value": content})
    return found


def departments_allowed() -> list[str]:
    return [f"{d.code} — {d.name}" for d in Department.objects.order_by("code")]


def _one(found: list, content: str, unknown: str, several: str):
    if not found:
        raise CellError(unknown % {"value": content})
    if len(found) > 1:
        raise CellError(several % {"value": content})
    return found[0]


def commune(value, lookups) -> Commune:
    """An INSEE code, or a name known once (« Cergy »; « Cergy (95) » when it is not)."""
    content = cell_text(value)
    key = content.upper() if re.fullmatch(r"\w{5}", content) and content[:2].isalnum() else ""
    candidates = lookups.communes.get(key, []) if key else []
    if not candidates:
        named = re.fullmatch(r"(.*?)\s*\((\w{1,3})\)\s*", content)
        name = named.group(1) if named else content
        candidates = lookups.communes.get(loose_key(name), [])
        if named:
            candidates = [c for c in candidates if c.department.code == named.group(2).upper()]
    return _one(
        candidates,
        content,
        _("“%(value)s” is not a known commune (name or INSEE code)."),
        _("Several communes are named “%(value)s”: give the INSEE code."),
    )


def epci(value, lookups) -> Epci:
    """A SIREN or the name of an EPCI."""
    content = cell_text(value)
    found = lookups.epcis.get(re.sub(r"\s", "", content)) or lookups.epcis.get(loose_key(content))
    return _one(
        found or [],
        content,
        _("“%(value)s” is not a known EPCI (name or SIREN)."),
        _("Several EPCI are named “%(value)s”: give the SIREN."),
    )


LIST_SEPARATORS = re.compile(r"\s*[;|\n,]\s*")


def split_list(value) -> list[str]:
    """« Santé ; Jeunesse | Emploi » → ["Santé", "Jeunesse", "Emploi"]."""
    return [part for part in LIST_SEPARATORS.split(cell_text(value)) if part]


def several(reader: Reader, refusal: str, *, allowed: Callable[[], list[str]] | None = None):
    """A cell of several values (« Santé ; Jeunesse »), each read by `reader`; those it
    cannot read are named at once by `refusal` (with %(names)s, and %(allowed)s when
    `allowed` is given). Each value is kept once, in the cell's order."""

    def read(value, lookups) -> list:
        found, unknown = [], []
        for part in split_list(value):
            try:
                item = reader(part, lookups)
            except CellError:
                unknown.append(part)
                continue
            if item not in found:
                found.append(item)
        if unknown:
            names = ", ".join(f"« {name} »" for name in unknown)
            raise CellError(
                str(refusal) % {"names": names, "allowed": ", ".join(allowed() if allowed else [])}
            )
        return found

    return read


def theme(value, lookups) -> Theme:
    found = lookups.themes.get(loose_key(cell_text(value)))
    if found is None:
        raise CellError(_("“%(value)s” is not a theme.") % {"value": cell_text(value)})
    return found


themes = several(theme, gettext_lazy("Unknown themes: %(names)s."))


def themes_allowed() -> list[str]:
    return list(Theme.objects.order_by("name").values_list("name", flat=True))


def allowed_values(values: Iterable[str]) -> Callable[[], list[str]]:
    return lambda: list(values)
