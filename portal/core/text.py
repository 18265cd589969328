"""Comparing words as French people type them: the one place accents are folded.

Three behaviours, one function each:
- `strip_accents`: the text without its accents, case and everything else kept.
- `fold`: lower case, no accent, ligatures spelt out (« Œ » → « oe »), typographic
  apostrophes, quotes and dashes made plain: what `db_fold()` (lower(portal_unaccent()),
  PostgreSQL's `unaccent`) gives in the database, so that names sort and are searched
  alike in Python and in SQL.
- `loose_key` (and `loose_words`): the one matcher of spreadsheet headers, choice values
  and search words: « Type d'acteur » = « TYPES D'ACTEURS » (and with a typographic
  apostrophe), « Agent de collectivité » = « Agent·e de collectivité »,
  « Val-d'Oise » = « Val d Oise ».
"""

from __future__ import annotations

import html
import re
import unicodedata

from django.db.models import Func, TextField
from django.db.models.functions import Lower

# Inclusive writing: a middle dot (or a bullet) always; a full stop, or a hyphen, only
# before the usual feminine or plural endings, so that « St.Denis » and « Villiers-le-Bel »
# keep their words.
_INCLUSIVE = re.compile(
    r"(?<=[^\W\d_])(?:[·•∙⋅‧][^\W\d_]+"
    r"|\.(?:e|es|s|ne|nes|le|les|rice|rices|trice|trices|euse|euses|fe|fes|ve|ves|te|tes)\b"
    r"|-(?:e|es|s|rice|rices|trice|trices|euse|euses)\b)+",
    re.IGNORECASE,
)
_NOT_WORD = re.compile(r"[\W_]+")
# What PostgreSQL's `unaccent` (portal_unaccent()) writes, beyond removing accents, for every
# character of Latin-1 and Latin Extended-A and for French typography (its
# tsearch_data/unaccent.rules; tests/core/test_text.py compares them with the database).
_SPELT_OUT = str.maketrans(
    {
        # Letters without a decomposition, and ligatures (ª and º since PostgreSQL 16).
        "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "Ĳ": "IJ", "ĳ": "ij", "ß": "ss", "ẞ": "SS",
        "ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st",
        "Ð": "D", "ð": "d", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "\u0131": "i", "ĸ": "q",
        "Ŀ": "L", "ŀ": "l", "Ł": "L", "ł": "l", "ŉ": "'n", "Ŋ": "N", "ŋ": "n", "Ø": "O",
        "ø": "o", "Þ": "TH", "þ": "th", "Ŧ": "T", "ŧ": "t", "\u017f": "s", "ª": "a", "º": "o",
        # Quotation marks, the soft hyphen, hyphens and dashes (escaped: most look like what
        # they become), and a few signs.
        **dict.fromkeys("\u2018\u2019\u201b", "'"),
        **dict.fromkeys("\u201c\u201d\u201f", '"'),
        "\u201a": ",", "\u201e": ",,", "«": "<<", "»": ">>", "\u2039": "<", "\u203a": ">",
        **dict.fromkeys("\u00ad\u2010\u2011\u2012\u2013\u2014\u2015", "-"),
        "…": "...", "‖": "||", "¡": "!", "¿": "?", "©": "(C)", "®": "(R)", "±": "+/-",
        "\u00d7": "*", "÷": "/", "¼": " 1/4", "½": " 1/2", "¾": " 3/4",
    }
)  # fmt: skip


def strip_accents(text: str) -> str:
    """« Élu·es, Hauts-de-Seine, Côte » → « Elu·es, Hauts-de-Seine, Cote »."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fold(text) -> str:
    """« Œuvre d'Éloïse » → « oeuvre d'eloise »: lower case, no accents, ligatures spelt
    out, as `db_fold` gives in the database (names sorted or searched both ways).

    Canonical decomposition (NFD), not NFKD: unaccent keeps what only NFKD would change
    (a non-breaking space, « ² »)."""
    decomposed = unicodedata.normalize("NFD", str(text or "").translate(_SPELT_OUT))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def unaccented(expression) -> Func:
    """portal_unaccent(expression): the core's SQL accent folding, the IMMUTABLE wrapper of
    the `unaccent` extension (migration 0014) that indexes and generated columns can use."""
    return Func(expression, function="portal_unaccent", output_field=TextField())


def db_fold(expression) -> Lower:
    """lower(portal_unaccent(expression)): `fold` in the database."""
    return Lower(unaccented(expression))


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def inclusive_strip(text: str) -> str:
    """« les habitant·es, élu.e.s » → « les habitant, élu »: the inclusive-writing endings
    removed, so that every spelling of a word keeps the same stem."""
    return _INCLUSIVE.sub("", text)


def loose_words(text) -> list[str]:
    """The words of `text` as `loose_key` folds them: « Habitant·es de l'Œuvre » →
    ["habitant", "de", "l", "oeuvre"]."""
    text = inclusive_strip(str(text or "")).translate(_SPELT_OUT)
    words = _NOT_WORD.split(strip_accents(text).casefold())
    return [_singular(word) for word in words if word]


def loose_key(text) -> str:
    """The letters and digits of `text`, without case, accents, ligatures, inclusive-writing
    endings or a plural « s »: what two spellings of the same label have in common."""
    return "".join(loose_words(text))


_TAG = re.compile(r"<[^>]+>")
# Characters XML 1.0 cannot carry, even escaped.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def html_text(markup: str, *, limit: int | None = None) -> str:
    """The text of stored HTML: tags become spaces, entities are decoded (« l&#x27;ouest »
    → « l'ouest »), spaces collapsed. Plain text, to be escaped once by whoever writes it."""
    text = html.unescape(_TAG.sub(" ", markup or ""))
    text = " ".join(text.split())
    return text[:limit] if limit else text


def xml_clean(value: object) -> str:
    """The value as a string without the characters XML 1.0 forbids."""
    return _XML_ILLEGAL.sub("", str(value))
