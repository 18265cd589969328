"""Accent folding, once for the whole portal (portal.core.text): three behaviours."""

from __future__ import annotations

import pytest

from portal.core.models import Theme
from portal.core.text import db_fold, fold, loose_key, loose_words, strip_accents

NAMES = ["Œuvre d'Éloïse", "ÉLODIE Müller", "Cœur-de-Saône", "Ærø", "Zoé"]


def test_strip_accents_keeps_case_and_everything_but_the_accents():
    assert strip_accents("Élu·es, Hauts-de-Seine, Côte") == "Elu·es, Hauts-de-Seine, Cote"
    assert strip_accents("Œuvre") == "Œuvre"


def test_fold_lowers_strips_accents_and_spells_out_ligatures():
    assert fold("Œuvre d'Éloïse") == "oeuvre d'eloise"
    assert fold("ÉLODIE Müller") == "elodie muller"
    assert fold(None) == ""


@pytest.mark.django_db
def test_fold_gives_in_python_what_db_fold_gives_in_the_database():
    for number, name in enumerate(NAMES):
        Theme.objects.create(name=name, slug=f"fold-{number}")

    rows = Theme.objects.filter(slug__startswith="fold-").annotate(folded=db_fold("name"))

    assert {theme.name: theme.folded for theme in rows} == {name: fold(name) for name in NAMES}


def test_loose_key_matches_every_spelling_of_a_label():
    assert loose_key("Type d'acteur") == loose_key("TYPES D\u2019ACTEURS")
    assert loose_key("Agent de collectivité") == loose_key("Agent·e de collectivité")
    assert loose_key("Val-d'Oise") == loose_key("Val d Oise")
    assert loose_key("Œuvres sociales") == loose_key("oeuvre sociale")


def test_loose_key_is_the_joined_loose_words():
    for text in ["Habitant·es de l'Œuvre", "Élu.e.s", "Villiers-le-Bel", ""]:
        assert loose_key(text) == "".join(loose_words(text))
    assert loose_words("Habitant·es de l'Œuvre") == ["habitant", "de", "l", "oeuvre"]
