"""Matching a visitor's search words as French people type them, in the database.

One way for every public search (the agenda, the publications, the info-doc Q&As): the
words of the query are folded by `loose_words` (case, accents, ligatures, the
inclusive-writing endings, a plural « s »): « Habitant·es » and « habitants » both give
« habitant ». The stored text is folded by `folded_contains()` (portal_unaccent, the middle
dots removed), so that the folded word is found inside « habitant·es » as inside
« habitants ». Labels of choices (themes, formats, kinds) are matched the same way, so
that « santé » finds what is filed under the theme Santé.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db.models import Func, IntegerField, Q, TextField, Value
from django.db.models.lookups import Exact

from portal.core.reference import reference
from portal.core.text import inclusive_strip, loose_key, loose_words, unaccented

WORD_RE = re.compile(r"\w+")
# Quotes, OR and -word: the query is given to websearch_to_tsquery as it is.
WEBSEARCH_SYNTAX_RE = re.compile(r'"|(?:(?<=\s)|^)(?:or\s|-)', re.IGNORECASE)
# Shorter words (« de », « la ») match no label.
LABEL_WORD_MIN = 3
# The middle dots of inclusive writing, removed from the stored text before matching.
INCLUSIVE_DOTS = "·•∙⋅‧"


def search_words(text: object) -> list[str]:
    """The visitor's words, folded: « Santé des habitant·es » → ["sante", "de", "habitant"]."""
    return loose_words(text)


def fts_text(text: str) -> str:
    """A query for PostgreSQL full-text search with its inclusive endings removed
    (« habitant.e.s » is one token for the French parser; « habitant » is a word)."""
    return inclusive_strip(text)


def folded_contains(text: str, word: str) -> tuple[str, list]:
    """SQL saying that the `text` (an SQL expression), folded (portal_unaccent, the middle
    dots removed), contains the folded word, case aside; and its parameters. A folded word
    is letters and digits only (search_words): it holds no LIKE wildcard."""
    return (
        f"UPPER(portal_unaccent(translate({text}, %s, ''))::text) LIKE UPPER(%s)",
        [INCLUSIVE_DOTS, f"%{word}%"],
    )


def label_matches(label: object, word: str) -> bool:
    """A word of the label begins with the folded word (of three letters or more):
    « sante » matches « Santé », « habitant » matches « Participation des habitant·es »."""
    return words_match(_label_words(str(label)), word)


@functools.lru_cache(maxsize=1024)
def _label_words(label: str) -> tuple[str, ...]:
    """The words of a choice's label, folded once per process (a search matches every
    label of a few choices lists)."""
    return tuple(loose_words(label))


def words_match(label_words: Iterable[str], word: str) -> bool:
    """label_matches() with the label's words already folded (loose_words)."""
    if len(word) < LABEL_WORD_MIN:
        return False
    return any(label_word.startswith(word) for label_word in label_words)


def choices_matching(choices: Iterable[tuple[object, object]], word: str) -> list:
    """Values of the (value, label) choices whose label matches the folded word."""
    return [value for value, label in choices if label_matches(label, word)]


def themes_matching(words: Iterable[str]) -> dict[str, list[int]]:
    """{folded word: ids of the themes whose name it matches} (portal.core.reference, which
    keeps the names' folded words)."""
    words = list(words)
    if not any(len(word) >= LABEL_WORD_MIN for word in words):
        return {word: [] for word in words}
    themes = reference().themes
    return {word: [t.pk for t in themes if words_match(t.words, word)] for word in words}


def search_query(text: str) -> SearchQuery:
    """websearch_to_tsquery('french', portal_unaccent(text)): quotes, OR and -word work."""
    return SearchQuery(unaccented(Value(text)), config="french", search_type="websearch")


def fts_vector(*fields: str) -> Func:
    """to_tsvector('french', portal_unaccent(the fields without their tags)), to annotate
    a small table that has no stored vector (the stored ones are built the same way)."""
    expressions = [Func(Value(" "), *fields, function="concat_ws", output_field=TextField())]
    return Func(
        *expressions,
        template=(
            "to_tsvector('french'::regconfig, portal_unaccent(regexp_replace("
            "%(expressions)s, '<[^>]+>', ' ', 'g')))"
        ),
        output_field=SearchVectorField(),
    )


def fts_words[T](
    text: str, *, named: Callable[[list[str]], dict[str, T]] | None
) -> list[tuple[str, T | None]] | None:
    """How fts_filter() finds the query `text` (fts_text() applied): None when the whole
    query goes to the index as one; otherwise each word, with what it names (`named`
    gives {folded word: a condition}) or None, every word to be found.

    With the websearch syntax (quotes, OR, -word), or when no word names anything, the
    whole query goes to the index as one.
    """
    if named is None or WEBSEARCH_SYNTAX_RE.search(text):
        return None
    words = WORD_RE.findall(text)
    folded = {word: loose_key(word) for word in words}
    alternatives = named(list(folded.values()))
    if not any(alternatives.get(key) for key in folded.values()):
        return None
    return [(word, alternatives.get(folded[word]) or None) for word in words]


def fts_filter(
    text: str, *, vector: str, named: Callable[[list[str]], dict[str, Q]] | None = None
) -> Q:
    """Rows the query finds by full-text search on `vector` (a field or an alias), and,
    where a word names something (a theme, a kind: `named` gives {folded word: Q}), by
    that too: « santé » finds what is filed under Santé.

    Inclusive-writing endings are removed first (« habitant.e.s » is one token for the
    French parser). Then the whole query goes to the index as one, or every word is found,
    in the text or by what it names (fts_words()).
    """
    text = fts_text(text)
    words = fts_words(text, named=named)
    if words is None:
        return Q(**{vector: search_query(text)})
    condition = Q()
    for word, alternative in words:
        query = search_query(word)
        # A stop word (« des ») has no lexeme: it leaves the row in.
        lexemes = Func(query, function="numnode", output_field=IntegerField())
        match = Q(**{vector: query}) | Q(Exact(lexemes, 0))
        if alternative:
            match |= alternative
        condition &= match
    return condition
