"""The one folding of every public search (portal.core.search, portal.core.text)."""

from __future__ import annotations

import pytest

from portal.core.search import choices_matching, fts_text, label_matches, search_words
from portal.core.text import html_text, xml_clean


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("Santé", ["sante"]),
        ("habitants", ["habitant"]),
        ("Habitant·es", ["habitant"]),
        ("habitant.e.s", ["habitant"]),
        ("les élu·e·s", ["les", "elu"]),  # a plural « s » only after three letters
        ("Cœur de l'Œuvre", ["coeur", "de", "l", "oeuvre"]),
        ("Saint-Denis", ["saint", "deni"]),
        ("!!!", []),
    ],
)
def test_search_words_fold_case_accents_plurals_and_inclusive_writing(typed, words):
    assert search_words(typed) == words


def test_fts_text_drops_inclusive_endings_the_french_parser_would_keep_as_one_token():
    assert fts_text("les habitant.e.s et élu·es") == "les habitant et élu"


def test_a_label_matches_a_word_beginning_one_of_its_words():
    assert label_matches("Santé", "sante")
    assert label_matches("Participation des habitant·es", "habitant")
    assert label_matches("Éducation", "educ")
    assert not label_matches("Éducation", "cation")
    assert not label_matches("Développement social", "de")  # too short to name anything
    choices = [("workshop", "Atelier"), ("seminar", "Séminaire")]
    assert choices_matching(choices, "atelier") == ["workshop"]
    assert choices_matching(choices, "seminaire") == ["seminar"]


def test_html_text_is_plain_text_decoded_once():
    assert html_text("<p>L&#x27;ouest &amp; <b>le</b>\n nord</p>") == "L'ouest & le nord"
    assert html_text("Synthèse : 3 < 5") == "Synthèse : 3 < 5"


def test_xml_clean_drops_what_xml_cannot_carry():
    assert xml_clean("Titre\x0b avec\x00 contrôle\n") == "Titre avec contrôle\n"
