"""French full-text search on the public list: accents, stemming, ranking, snippets,
facets combined with search, and the plan PostgreSQL uses on a large catalogue."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.core.models import Department, SiteSettings, Theme
from publications.filters import PublicationFilter
from publications.models import PublicationKind, PublicationStatus
from publications.search import Highlighter, normalise_query
from publications.selectors.catalogue import publication_list
from tests.members.factories import DepartmentFactory
from tests.publications.factories import PublicationFactory, bulk_publications

pytestmark = pytest.mark.django_db

URL = "/publications/"


def search(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.context["listing"]


def titles(listing) -> list[str]:
    return [publication.title for publication in listing.items]


# Accents, stemming, ranking ---------------------------------------------------------------


def test_unaccented_singular_finds_accented_plural(client):
    found = PublicationFactory(title="Actes de la journée", body="<p>Les événements du réseau</p>")
    PublicationFactory(title="Autre chose", body="<p>Rien à voir.</p>")

    listing = search(client, q="evenement")

    assert titles(listing) == [found.title]
    assert listing.total == 1


def test_accented_query_finds_unaccented_text(client):
    found = PublicationFactory(title="Guide de la securite des evenements")

    assert titles(search(client, q="Sécurité")) == [found.title]


def test_singular_finds_plural_and_plural_finds_singular(client):
    plural = PublicationFactory(title="Les quartiers prioritaires", body="")
    singular = PublicationFactory(title="Un quartier en transition", body="")

    assert set(titles(search(client, q="quartier"))) == {plural.title, singular.title}
    assert set(titles(search(client, q="quartiers"))) == {plural.title, singular.title}


def test_a_word_in_the_title_ranks_above_the_same_word_in_the_body(client):
    today = timezone.localdate()
    # The body match is the newest: only the ranking can put the title match first.
    in_body = PublicationFactory(
        title="Rapport annuel",
        summary="",
        body="<p>Un chapitre parle de santé mentale.</p>",
        published_on=today - timedelta(days=1),
    )
    in_summary = PublicationFactory(
        title="Synthèse", summary="La santé des habitants.", published_on=today - timedelta(days=2)
    )
    in_title = PublicationFactory(
        title="Santé et quartiers",
        summary="",
        body="<p>Autre texte.</p>",
        published_on=today - timedelta(days=300),
    )

    listing = search(client, q="sante")

    assert titles(listing) == [in_title.title, in_summary.title, in_body.title]


def test_without_a_search_the_newest_come_first(client):
    today = timezone.localdate()
    older = PublicationFactory(title="Ancienne", published_on=today - timedelta(days=10))
    newer = PublicationFactory(title="Récente", published_on=today)

    assert titles(search(client)) == [newer.title, older.title]


def test_drafts_and_future_publications_are_not_found(client):
    PublicationFactory(title="Brouillon sur la jeunesse", status=PublicationStatus.DRAFT)
    PublicationFactory(
        title="Jeunesse à venir",
        status=PublicationStatus.SCHEDULED,
        published_on=timezone.localdate() + timedelta(days=10),
    )
    PublicationFactory(
        title="Jeunesse, publiée demain",
        published_on=timezone.localdate() + timedelta(days=1),
    )
    public = PublicationFactory(title="Jeunesse et emploi")

    assert titles(search(client, q="jeunesse")) == [public.title]


def test_websearch_syntax_excludes_a_word(client):
    kept = PublicationFactory(title="Santé des jeunes")
    PublicationFactory(title="Santé des seniors")

    assert titles(search(client, q="santé -seniors")) == [kept.title]


def test_a_word_naming_a_theme_finds_what_is_filed_under_it(client):
    health = Theme.objects.get(slug="sante")
    filed = PublicationFactory(title="Bilan des ateliers", summary="", themes=[health])
    worded = PublicationFactory(title="La santé au quartier", summary="")
    PublicationFactory(title="Emploi des jeunes", summary="")

    assert set(titles(search(client, q="santé"))) == {filed.title, worded.title}
    assert set(titles(search(client, q="SANTE"))) == {filed.title, worded.title}
    # Every word is found: « ateliers » in the title, « santé » by the theme.
    assert titles(search(client, q="santé des ateliers")) == [filed.title]
    assert titles(search(client, q="santé emploi")) == []


def test_a_word_naming_a_kind_finds_the_publications_of_that_kind(client):
    podcast = PublicationFactory(kind=PublicationKind.PODCAST, title="Voix des quartiers")
    PublicationFactory(kind=PublicationKind.STUDY, title="Voix des élus")

    assert titles(search(client, q="podcast")) == [podcast.title]
    assert titles(search(client, q="voix podcast")) == [podcast.title]


@pytest.mark.parametrize(
    ("written", "typed"),
    [
        ("La parole des habitant·es", "habitants"),
        ("La parole des habitants", "habitant·es"),
        ("La parole des habitants", "habitant.e.s"),
        ("La parole des habitant·es", "habitant·es"),
        ("Former les élu·es", "élu·es"),
    ],
)
def test_inclusive_writing_is_found_both_ways(client, written, typed):
    found = PublicationFactory(title=written, summary="")
    PublicationFactory(title="Emploi des jeunes", summary="")

    assert titles(search(client, q=typed)) == [found.title]


# Empty results and odd input ---------------------------------------------------------------


def test_no_result_page_says_so(client):
    PublicationFactory(title="Logement social")

    response = client.get(URL, {"q": "zythogale"})

    assert response.status_code == 200
    listing = response.context["listing"]
    assert listing.total == 0 and listing.items == []
    assert b'class="publication-empty"' in response.content
    assert b'class="publication-list"' not in response.content


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 5000},
        {"q": "santé\x00"},
        {"q": '"'},
        {"q": "!!! &&& ||| (("},
        {"q": "le la les"},
        {"q": "-"},
        {"q": "or"},
        {"kind": "nope"},
        {"theme": "pas-un-theme"},
        {"theme": "../../etc"},
        {"theme": "sante\x00"},
        {"territory": "\x00"},
        {"kind": "\x00"},
        {"after": "2024-01-01.1\x00"},
        {"year": "abc"},
        {"year": "99999999999999999999"},
        {"year": "-5"},
        {"territory": "ZZZ"},
        {"after": "garbage"},
        {"after": "2024-13-45.1"},
        {"before": "2024-01-01.notanumber"},
        {"page": "-3"},
        {"page": "999999999999999999999999", "q": "santé"},
        {"q": "santé", "page": "abc"},
    ],
)
def test_invalid_parameters_never_fail(client, params):
    PublicationFactory(title="Santé des jeunes")

    response = client.get(URL, params)

    assert response.status_code == 200


def test_invalid_filters_are_ignored_and_reported(client):
    publication = PublicationFactory(title="Santé des jeunes")

    response = client.get(URL, {"kind": "nope", "theme": "pas-un-theme", "year": "abc"})

    assert titles(response.context["listing"]) == [publication.title]
    assert response.context["ignored"] == ["kind", "theme", "year"]


def test_normalise_query_caps_and_cleans():
    assert normalise_query("  Santé \t des\x00 jeunes  ") == "Santé des jeunes"
    assert len(normalise_query("mot " * 200)) <= 200
    assert normalise_query("?!") == ""
    assert normalise_query(None) == ""
    # A decomposed "é" (e + combining accent) is composed: Python's \w would split the word.
    assert normalise_query("e\u0301ve\u0301nement") == "événement"


# Filters combined with search, facet counts -----------------------------------------------------


def test_filters_combine_with_search(client):
    health = Theme.objects.get(slug="sante")
    youth = Theme.objects.get(slug="jeunesse")
    val_doise = DepartmentFactory(code="95", name="Val-d'Oise")
    yvelines = DepartmentFactory(code="78", name="Yvelines")
    match = PublicationFactory(
        title="Parcours de soins des habitants",
        kind=PublicationKind.SYNTHESIS,
        themes=[health],
        departments=[val_doise],
    )
    PublicationFactory(title="Parcours de soins", kind=PublicationKind.STUDY, themes=[health])
    PublicationFactory(title="Parcours de soins", kind=PublicationKind.SYNTHESIS, themes=[youth])
    PublicationFactory(
        title="Parcours de soins",
        kind=PublicationKind.SYNTHESIS,
        themes=[health],
        departments=[yvelines],
    )
    PublicationFactory(
        title="Les jeunes", kind=PublicationKind.SYNTHESIS, themes=[health], departments=[val_doise]
    )
    year = str(match.published_on.year)

    listing = search(client, q="soin", kind="synthesis", theme="sante", year=year, territory="95")

    assert titles(listing) == [match.title]
    assert listing.total == 1


def test_facet_counts_follow_the_search_and_the_other_filters(client):
    health = Theme.objects.get(slug="sante")
    youth = Theme.objects.get(slug="jeunesse")
    val_doise = DepartmentFactory(code="95", name="Val-d'Oise")
    PublicationFactory(
        title="Habitat et santé", kind=PublicationKind.STUDY, themes=[health, youth],
        departments=[val_doise],
    )  # fmt: skip
    PublicationFactory(title="Habitat indigne", kind=PublicationKind.STUDY, themes=[health])
    PublicationFactory(title="Habitat participatif", kind=PublicationKind.BOOKLET)
    PublicationFactory(title="Emploi des jeunes", kind=PublicationKind.STUDY, themes=[youth])

    listing = search(client, q="habitat")

    counts = {
        name: {option.value: option.count for option in options}
        for name, options in listing.facets.items()
    }
    assert counts["kind"] == {"study": 2, "booklet": 1}
    assert counts["theme"] == {"sante": 2, "jeunesse": 1}
    assert counts["territory"] == {"95": 1}
    assert sum(counts["year"].values()) == 3
    assert listing.total == 3

    # A chosen kind narrows the other facets, not its own (the alternatives stay visible).
    listing = search(client, q="habitat", kind="study")
    counts = {
        name: {option.value: (option.count, option.selected) for option in options}
        for name, options in listing.facets.items()
    }
    assert counts["kind"] == {"study": (2, True), "booklet": (1, False)}
    assert counts["theme"] == {"sante": (2, False), "jeunesse": (1, False)}
    assert listing.total == 2


def test_a_chosen_value_without_results_stays_selected(client):
    PublicationFactory(title="Habitat")

    listing = search(client, q="habitat", theme="laicite-et-valeurs-de-la-republique")

    theme_options = {option.value: option for option in listing.facets["theme"]}
    assert theme_options["laicite-et-valeurs-de-la-republique"].selected
    assert theme_options["laicite-et-valeurs-de-la-republique"].count == 0
    assert listing.total == 0


# Snippets ------------------------------------------------------------------------------------


def test_snippet_marks_the_matched_words_whatever_their_accents(client):
    PublicationFactory(
        title="Actes",
        summary="",
        body="<p>Début.</p><p>Tous les <strong>événements</strong> de l'année et un évènement"
        " éventuel.</p>",
    )

    listing = search(client, q="evenement")

    snippet = str(listing.items[0].snippet)
    assert "<mark>événements</mark>" in snippet
    assert "<mark>évènement</mark>" in snippet
    assert "éventuel" in snippet and "<mark>éventuel</mark>" not in snippet
    assert "<strong>" not in snippet  # the body's markup is not carried into the snippet


def test_snippet_and_title_are_escaped(client):
    PublicationFactory(
        title="Santé <script>alert(1)</script>", summary="La santé & les <b>jeunes</b>"
    )

    response = client.get(URL, {"q": "santé"})

    item = response.context["listing"].items[0]
    assert str(item.title_html) == "<mark>Santé</mark> &lt;script&gt;alert(1)&lt;/script&gt;"
    assert str(item.snippet) == "La <mark>santé</mark> &amp; les &lt;b&gt;jeunes&lt;/b&gt;"
    assert b"<script>alert(1)" not in response.content


def test_snippet_is_an_excerpt_around_the_first_match():
    words = " ".join(f"mot{index}" for index in range(200))
    text = f"{words} logement {words}"
    highlighter = Highlighter("logements", [text])

    snippet = str(highlighter.snippet(text))

    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert "<mark>logement</mark>" in snippet
    assert len(snippet.split()) < 45


def test_only_whole_words_are_marked_whatever_their_case():
    text = "LOGEMENT, relogement et logements"
    highlighter = Highlighter("logement", [text])

    assert str(highlighter.highlight(text)) == (
        "<mark>LOGEMENT</mark>, relogement et <mark>logements</mark>"
    )
    assert highlighter.snippet("Le relogement") is None


@pytest.mark.parametrize(
    ("query", "text", "marked"),
    [
        # Endings the stemmer rewrites: « sociaux » → « social », « publication » →
        # « publiqu », « heureuse » → « heureux », « évidemment » → « evident ».
        ("social", "Les logements sociaux, une politique sociale", ["sociaux", "sociale"]),
        ("publique", "Une publication publique, des actes publics", ["publication", "publique"]),
        ("heureux", "Une fin heureuse", ["heureuse"]),
        ("évident", "Évidemment", ["Évidemment"]),
        # Ligatures: « oe » in the stem, « œ » in the text, and the other way round.
        ("oeuvre", "La mise en Œuvre des œuvres", ["Œuvre", "œuvres"]),
        ("œuvre", "La mise en oeuvre", ["oeuvre"]),
        ("cœur", "Au coeur des quartiers", ["coeur"]),
        # PostgreSQL's parser splits a word at "_".
        ("logement", "Les fiches_logement", ["fiches_logement"]),
    ],
)
def test_words_are_marked_whatever_their_ending_and_spelling(query, text, marked):
    highlighter = Highlighter(query, [text])

    assert re.findall(r"<mark>(\w+)</mark>", str(highlighter.highlight(text))) == marked


def test_a_snippet_begins_and_ends_with_the_text_when_it_is_short():
    text = "Un, deux : le logement."
    highlighter = Highlighter("logement", [text])

    assert str(highlighter.snippet(text)) == "Un, deux : le <mark>logement</mark>."


def test_a_snippet_keeps_the_words_before_the_match():
    words = " ".join(f"mot{index}" for index in range(20))
    text = f"{words} logement fin"
    highlighter = Highlighter("logement", [text])

    snippet = str(highlighter.snippet(text))

    lead = " ".join(f"mot{index}" for index in range(12, 20))
    assert snippet == f"… {lead} <mark>logement</mark> fin"


def test_excluded_words_are_not_marked():
    text = "La santé des seniors"
    highlighter = Highlighter("santé -seniors", [text])

    assert str(highlighter.highlight(text)) == "La <mark>santé</mark> des seniors"


# Query counts and the plan ----------------------------------------------------------------------


def _search_queries(client, params) -> int:
    SiteSettings.load()  # its creation would be a change of the content, read again
    client.get(URL, params)  # warm the site settings cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200
    assert response.context["listing"].items
    return len(queries)


def test_a_search_runs_the_same_queries_with_10_and_1000_publications(client):
    themes = [Theme.objects.get(slug="sante")]
    params = {"q": "participation habitants", "theme": themes[0].slug}
    bulk_publications(10, prefix="small", themes=themes)
    small = _search_queries(client, params)

    bulk_publications(990, prefix="large", themes=themes)
    large = _search_queries(client, params)

    # The theme parameter, the matches, the page (the themes, named by words or shown, are
    # kept in the process by core.reference, the publications' themes and départements by
    # catalogue._links, and the stems of the words shown by the first search:
    # publications.search.stem_words).
    assert small == large == 3


@pytest.mark.parametrize("q", ["tiers-lieux cartographie", "logement"])
def test_search_plan_uses_the_gin_index_on_a_large_catalogue(q):
    """With 10,000 publications the query finding the matches reads `publication_search_gin`
    (the facets and the page then read the matches by id), also when every word names a
    theme (« logement »: found in the text or by the theme Logement et rénovation urbaine).

    No planner setting is changed (enable_seqscan stays on). Two maintenance steps stand
    in for autovacuum, which a test transaction never sees: ANALYZE for the statistics,
    and gin_clean_pending_list() to merge the GIN "fast update" pending list, where
    rows inserted in bulk wait; while the list is long the planner rightly prices the
    index above a sequential scan.
    """
    bulk_publications(10_000, prefix="plan")
    rare = PublicationFactory(title="Cartographie des tiers-lieux et du logement")
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list('publication_search_gin'::regclass)")
        cursor.execute("ANALYZE publications_publication")

    with CaptureQueriesContext(connection) as queries:
        listing = publication_list(filterset=PublicationFilter({}), q=q)
    assert listing.items == [rare]
    # The query finding the matches: the only one that searches.
    find_sql = next(q["sql"] for q in queries if "@@" in q["sql"])

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {find_sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "publication_search_gin" in plan, plan
    # The small table of the publications' themes may well be read whole.
    assert not re.search(r"Seq Scan on publications_publication\b", plan), plan


def test_department_facet_lists_codes(client):
    department = DepartmentFactory(code="92", name="Hauts-de-Seine")
    PublicationFactory(title="Habitat", departments=[department])

    listing = search(client)

    assert [(o.value, o.label, o.count) for o in listing.facets["territory"]] == [
        ("92", "92 \u2013 Hauts-de-Seine", 1)
    ]
    assert Department.objects.filter(code="92").exists()
