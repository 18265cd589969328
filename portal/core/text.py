"""Comparing words as French people type them.

`loose_key` is the one matcher of spreadsheet headers and choice values in every import:
« Type d'acteur » = « TYPES D'ACTEURS » (and with a typographic apostrophe),
« Agent de collectivité » = « Agent·e de collectivité », « Val-d'Oise » = « Val d Oise ».
"""

from __future__ import annotations

import re
import unicodedata

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


def strip_accents(text: str) -> str:
    """« Élu·es, Hauts-de-Seine, Côte » → « Elu·es, Hauts-de-Seine, Cote »."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def loose_key(text) -> str:
    """The letters and digits of `text`, without case, accents, inclusive-writing endings
    or a plural « s »: what two spellings of the same label have in common."""
    text = _INCLUSIVE.sub("", str(text or ""))
    words = _NOT_WORD.split(strip_accents(text).casefold())
    return "".join(_singular(word) for word in words if word)
