"""French full-text search on publications: query building, ranking, highlighted snippets.

The stored `Publication.search_vector` is built with
``to_tsvector('french', portal_unaccent(text without tags))`` and weights A (title),
B (summary), C (body). A query goes through the same path: NFC in Python (an accent
typed as a combining mark would split a word for Python's \\w), then
``websearch_to_tsquery('french', portal_unaccent(q))``, so "evenement" finds
"événements" and singular finds plural.

PostgreSQL's ts_headline does not fold accents, so the snippet is built in Python: the
words of the query, then those of the texts shown that may share their stems, are stemmed
by PostgreSQL (and kept in the process), and a word is marked when its stem is one of the
query's stems.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from itertools import islice

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from portal.core.search import choices_matching, fts_text, fts_words, themes_matching
from portal.core.search import search_query as search_query  # the one query builder
from portal.core.text import fold, html_text
from publications.models import PublicationKind

MAX_QUERY_LENGTH = 200
SNIPPET_WORDS = 32
# Words shown before the first match in a snippet.
SNIPPET_LEAD_WORDS = 8
# Only the beginning of a long body is scanned for the snippet.
BODY_SCAN_CHARS = 6000

WORD_RE = re.compile(r"\w+")
# Control characters (NUL breaks PostgreSQL text parameters).
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Terms a websearch query excludes: -word, -"a phrase".
NEGATED_RE = re.compile(r'(?:(?<=\s)|^)-(?:"[^"]*"?|\S+)')
OR_RE = re.compile(r"(?:(?<=\s)|^)or(?=\s|$)", re.IGNORECASE)


def normalise_query(raw: object) -> str:
    """The visitor's q text, cleaned: NFC, no control characters, one space, capped.

    Returns "" when nothing searchable is left (punctuation only).
    """
    if not raw:
        return ""
    text = unicodedata.normalize("NFC", str(raw))
    text = CONTROL_RE.sub(" ", text)
    text = " ".join(text.split())[:MAX_QUERY_LENGTH].strip()
    return text if WORD_RE.search(text) else ""


# portal.core.search.search_query() in SQL.
QUERY_SQL = "websearch_to_tsquery('french'::regconfig, portal_unaccent(%s))"
# Publications filed under one of the themes: `id = ANY(ARRAY(...))`, not `id IN (...)`:
# PostgreSQL ORs it with the text index's match instead of reading every row.
FILED_SQL = (
    "p.id = ANY(ARRAY(SELECT publication_id FROM publications_publication_themes"
    " WHERE theme_id = ANY(%s)))"
)


def search_where(text: str) -> tuple[str, list]:
    """The publications (table alias `p`) the query finds, as SQL and its parameters: by
    their text, and by the theme or the kind a word names, as
    portal.core.search.fts_filter() finds rows. For the raw query of catalogue._found()."""
    text = fts_text(text)
    words = fts_words(text, named=_named)
    if words is None:
        return f"p.search_vector @@ {QUERY_SQL}", [text]
    conditions, params = [], []
    for word, named in words:
        # A stop word (« des ») has no lexeme: it leaves the row in.
        condition = f"p.search_vector @@ {QUERY_SQL} OR numnode({QUERY_SQL}) = 0"
        params += [word, word]
        if named:
            condition += f" OR {named[0]}"
            params += named[1]
        conditions.append(f"({condition})")
    return " AND ".join(conditions), params


def _named(words: list[str]) -> dict[str, tuple[str, list]]:
    """{folded word: SQL and parameters of the publications filed under the themes it
    names or of the kinds it names}."""
    themes = themes_matching(words)
    alternatives = {}
    for word in words:
        conditions, params = [], []
        if themes[word]:
            conditions.append(FILED_SQL)
            params.append(themes[word])
        if kinds := choices_matching(PublicationKind.choices, word):
            conditions.append("p.kind = ANY(%s)")
            params.append(kinds)
        if conditions:
            alternatives[word] = (" OR ".join(conditions), params)
    return alternatives


# ts_rank over the weighted vector: a title match (A) outranks a body match (C).
RANK_SQL = f"ts_rank(p.search_vector, {QUERY_SQL})"


def positive_words(text: str) -> list[str]:
    """The words of the query that results contain (not the -excluded ones, not OR)."""
    text = OR_RE.sub(" ", NEGATED_RE.sub(" ", text))
    return WORD_RE.findall(text)


# Text of stored HTML: tags become spaces, entities are decoded, spaces collapsed.
plain_text = html_text


# Stems by lowercase word, kept in the process: PostgreSQL's French stemmer gives a word the
# same stems whatever the content, and asking it for every word of a page of results cost
# more than the rest of the search. Emptied when it would hold more than STEMS_KEPT words.
_stems: dict[str, frozenset[str]] = {}
STEMS_KEPT = 50_000


def stem_words(words: Iterable[str]) -> dict[str, frozenset[str]]:
    """{lowercase word: its French stems}; those the process does not hold yet are computed
    by PostgreSQL in one query."""
    stems = {word: _stems.get(word) for word in {word.lower() for word in words}}
    unknown = sorted(word for word, found in stems.items() if found is None)
    if unknown:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT word, tsvector_to_array(to_tsvector('french', portal_unaccent(word))) "
                "FROM unnest(%s::text[]) AS word",
                [unknown],
            )
            computed = {word: frozenset(found) for word, found in cursor.fetchall()}
        if len(_stems) + len(computed) > STEMS_KEPT:
            _stems.clear()
        _stems.update(computed)
        stems.update(computed)
    return stems


# Snowball's French stemmer cuts a word's ending and rewrites a few (« -abil- » → « -abl »
# too): « sociaux » → « social », « publication » → « publiqu », « heureuse » → « heureux »,
# « évidemment » → « evident », « employer » → « emploi ». Without such an ending, a stem
# is how each of its words begins (accents and case aside).
REWRITTEN_ENDINGS = ("iqu", "al", "ent", "ant", "eux", "abl", "i")
# The French ligatures portal_unaccent writes as two letters (a stem has « oe » where the
# text has « œ »).
LIGATURES = {"oe": "œŒ", "ae": "æÆ"}
# PostgreSQL's parser splits a word at "_": any of its parts may have a stem sought.
UNDERSCORED_RE = re.compile(r"\w*_\w*")


def stem_start(stem: str) -> str:
    """How every word with this stem begins, folded: the stem without an ending the
    stemmer may have rewritten."""
    for ending in REWRITTEN_ENDINGS:
        if stem.endswith(ending):
            return stem.removesuffix(ending)
    return stem


def _letter_classes() -> dict[str, str]:
    """{letter: a pattern of it in either case, accented or not}: « e » → [eEèéêëÈÉÊË…]."""
    letters: dict[str, set[str]] = {}
    for char in map(chr, range(0xC0, 0x180)):
        letter = fold(char)
        if len(letter) == 1 and letter.isascii() and letter.isalpha():
            letters.setdefault(letter, {letter, letter.upper()}).add(char)
    return {letter: f"[{''.join(sorted(chars))}]" for letter, chars in letters.items()}


LETTER_CLASSES = _letter_classes()


def _char_pattern(char: str) -> str:
    if char in LETTER_CLASSES:
        return LETTER_CLASSES[char]
    upper = char.upper()
    return f"[{char}{upper}]" if len(upper) == 1 and upper != char else re.escape(char)


def folded_pattern(folded: str) -> str:
    """A pattern of the text that folds to `folded` (lower case, no accents), whatever
    its case: « oeuvr » finds « Œuvre », « evenement » « Événement »."""
    parts = []
    for piece in re.findall(r"oe|ae|.", folded, flags=re.DOTALL):
        pattern = "".join(map(_char_pattern, piece))
        parts.append(f"(?:{pattern}|[{LIGATURES[piece]}])" if piece in LIGATURES else pattern)
    # A start ending with the ligature's first letter: « co » begins « cœur ».
    for pair, ligature in LIGATURES.items():
        if folded.endswith(pair[0]):
            parts[-1] = f"(?:{parts[-1]}|[{ligature}])"
    return "".join(parts)


def _words_beginning(pattern: re.Pattern, text: str) -> list[str]:
    """The words (\\w+ runs, as WORD_RE finds them) that `pattern` matches from their first
    letter. Searched for anywhere, then kept at a word's start: a pattern beginning with \\b
    would be tried at every character, three times slower."""
    return [
        match.group()
        for match in pattern.finditer(text)
        if match.group() and (match.start() == 0 or not WORD_RE.match(text, match.start() - 1))
    ]


class Highlighter:
    """Marks the words of texts whose stem is one of the query's stems.

    Only the words that may have one of those stems are stemmed: those beginning as a
    stem does (stem_start()), found in every text by one pattern. Build it with every
    text it will mark, so those words are stemmed at once; the words to mark then make
    one pattern, so a text is searched for them in one pass.
    """

    def __init__(self, query: str, texts: Iterable[str]):
        query_words = [word.lower() for word in positive_words(query)]
        query_stems = frozenset().union(*stem_words(query_words).values())
        self.pattern = None
        if not query_stems:
            return
        starts = sorted({stem_start(stem) for stem in query_stems}, key=len, reverse=True)
        candidates = re.compile("|".join(folded_pattern(start) + r"\w*" for start in starts))
        found = set()
        for text in texts:
            found.update(_words_beginning(candidates, text))
            if "_" in text:
                found.update(UNDERSCORED_RE.findall(text))
        stems = stem_words(found)
        marked = [word for word, stem in stems.items() if not query_stems.isdisjoint(stem)]
        # A whole word among those, whatever its case.
        alternatives = "|".join(re.escape(word) for word in sorted(marked, key=len, reverse=True))
        self.pattern = re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE) if marked else None

    def highlight(self, text: str) -> SafeString:
        """The whole text, escaped, with matching words wrapped in <mark>."""
        parts, position = [], 0
        for match in self.pattern.finditer(text) if self.pattern else ():
            parts.append(escape(text[position : match.start()]))
            parts.append(f"<mark>{escape(match.group())}</mark>")
            position = match.end()
        parts.append(escape(text[position:]))
        return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above

    def snippet(self, text: str, *, words: int = SNIPPET_WORDS) -> SafeString | None:
        """An excerpt of about `words` words around the first match; None without a match.

        Only the words around the match are read: SNIPPET_LEAD_WORDS before it, the rest
        after."""
        match = self.pattern.search(text) if self.pattern else None
        if match is None:
            return None
        lead, more_before = _words_before(text, match.start(), SNIPPET_LEAD_WORDS)
        wanted = words - len(lead)
        rest = list(islice(WORD_RE.finditer(text, match.start()), wanted + 1))
        begin = lead[0].start() if more_before else 0
        finish = rest[wanted - 1].end() if len(rest) > wanted else len(text)
        excerpt = self.highlight(text[begin:finish])
        prefix = "… " if begin else ""
        suffix = " …" if finish < len(text) else ""
        return mark_safe(f"{prefix}{excerpt}{suffix}")  # noqa: S308 - excerpt is escaped


def _words_before(text: str, position: int, count: int) -> tuple[list[re.Match], bool]:
    """The last `count` words before `position` (a word's start), and whether the text
    has others before them: read from a window before `position`, widened as needed."""
    window = 16 * (count + 1)
    while True:
        begin = max(0, position - window)
        found = list(WORD_RE.finditer(text, begin, position))
        # The window's first word may be cut: it counts only when the window starts the text.
        if len(found) > count or begin == 0:
            return found[len(found) - min(count, len(found)) :], len(found) > count
        window *= 4
