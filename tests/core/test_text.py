"""Accent folding, once for the whole portal (portal.core.text): three behaviours."""

from __future__ import annotations

import pytest
from django.db import connection

from portal.core.models import Theme
from portal.core.text import db_fold, fold, loose_key, loose_words, strip_accents

# French text as typed or pasted: typographic apostrophes, quotes and dashes, non-breaking
# spaces, an accent typed as a combining mark, ligatures, names from abroad.
TRICKY = [
    "Œuvre d\u2019Éloïse",
    "ÉLODIE Müller",
    "Cœur-de-Saône",
    "Ærø",
    "Zoé",
    "L\u2019Haÿ-les-Roses",
    "«\u202fLes Halles\u202f»",
    "Saint\u2011Denis \u2013 Aubervilliers \u2014 Pantin",
    "e\u0301cole, E\u0300VE",
    "ﬁnancement de l\u2019\u0153uvre",
    "10\u00a0000 habitant·es, n° 3…",
    "Straße, Łódź, Đakovo, Ðóra",
    "\u201cGuillemets anglais\u201d et \u2018simples\u2019",
]


def db_folds(texts: list[str]) -> dict[str, str]:
    """{text: what db_fold() gives for it in the database}."""
    Theme.objects.bulk_create(
        Theme(name=text, slug=f"fold-{number}") for number, text in enumerate(texts)
    )
    rows = Theme.objects.filter(slug__startswith="fold-").annotate(folded=db_fold("name"))
    return {theme.name: theme.folded for theme in rows}


def test_strip_accents_keeps_case_and_everything_but_the_accents():
    assert strip_accents("Élu·es, Hauts-de-Seine, Côte") == "Elu·es, Hauts-de-Seine, Cote"
    assert strip_accents("Œuvre") == "Œuvre"


def test_fold_lowers_strips_accents_and_spells_out_ligatures():
    assert fold("Œuvre d'Éloïse") == "oeuvre d'eloise"
    assert fold("ÉLODIE Müller") == "elodie muller"
    assert fold(None) == ""


def test_fold_makes_typography_plain_as_unaccent_does():
    assert fold("L\u2019Haÿ \u2013 «\u00a0Straße\u00a0»") == "l'hay - <<\u00a0strasse\u00a0>>"
    assert fold("e\u0301cole") == "ecole"


@pytest.mark.django_db
def test_fold_gives_in_python_what_db_fold_gives_in_the_database():
    assert db_folds(TRICKY) == {text: fold(text) for text in TRICKY}


@pytest.mark.django_db
def test_fold_agrees_with_the_database_on_every_latin_letter_and_french_sign():
    """Latin-1, Latin Extended-A, quotation marks, dashes, the ellipsis, ligatures."""
    codes = [
        *range(0xA0, 0x180),
        *range(0x2010, 0x2020), 0x2026, 0x2039, 0x203A,
        0x1E9E, *range(0xFB00, 0xFB07),
    ]  # fmt: skip
    # Since PostgreSQL 16 unaccent folds ª and º, writes « ½ » as « 1/2 » after a space (as
    # fold does), and folds µ to the Greek mu (fold keeps it: no French word has it).
    left_out = "µ" if connection.pg_version >= 160000 else "ªº¼½¾"
    characters = [chr(code) for code in codes if chr(code) not in left_out]

    assert db_folds(characters) == {char: fold(char) for char in characters}


def test_loose_key_matches_every_spelling_of_a_label():
    assert loose_key("Type d'acteur") == loose_key("TYPES D\u2019ACTEURS")
    assert loose_key("Agent de collectivité") == loose_key("Agent·e de collectivité")
    assert loose_key("Val-d'Oise") == loose_key("Val d Oise")
    assert loose_key("Œuvres sociales") == loose_key("oeuvre sociale")
    assert loose_key("Łódź") == loose_key("Lodz")


def test_loose_key_is_the_joined_loose_words():
    for text in ["Habitant·es de l'Œuvre", "Élu.e.s", "Villiers-le-Bel", ""]:
        assert loose_key(text) == "".join(loose_words(text))
    assert loose_words("Habitant·es de l'Œuvre") == ["habitant", "de", "l", "oeuvre"]
