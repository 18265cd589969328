"""Reads of the publications app: the public list (search, facets, pages) and the detail.

The list runs a fixed number of queries whatever the size of the catalogue: one narrow
read of what it finds (the facets are counted from it in Python, with the publications'
themes and départements kept in the process, and named from portal.core.reference), one
for the page and, with a search, those stemming the words for highlighting that the
process has not stemmed yet.
"""

from __future__ import annotations

import datetime
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter

from django.db import connection
from django.db.models import (
    Count,
    Prefetch,
    Q,
    prefetch_related_objects,
)
from django.utils import timezone

from events.models import Action
from portal.core import pagecache
from portal.core.collation import french_ordered
from portal.core.models import Department, Theme
from portal.core.reference import reference
from portal.core.search import fts_text
from publications.filters import FACETS, PublicationFilter
from publications.models import Publication, PublicationKind, PublicationStatus
from publications.search import BODY_SCAN_CHARS, RANK_SQL, Highlighter, plain_text, search_where

PAGE_SIZE = 20
# A search offers this many pages at most (ranked results are sorted as a whole).
MAX_SEARCH_PAGES = 50
RELATED_COUNT = 4
# Characters of the body's markup read for a snippet (markup is longer than its text).
BODY_MARKUP_CHARS = BODY_SCAN_CHARS * 2
# The columns a card shows (publications/partials.html#card).
CARD_FIELDS = ("pk", "title", "slug", "kind", "summary", "published_on", "thumbnail")
# A search's page: the columns of its cards and, for the snippets, the body's beginning.
# Raw SQL: the ORM took twice as long to build and read it.
SHOWN_SQL = """
    SELECT id, title, slug, kind, summary, published_on, thumbnail, left(body, %s) AS body_head
      FROM publications_publication
     WHERE id = ANY(%s)
"""


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool

    @property
    def text(self) -> str:
        """What the option shows: « Étude (12) ». One lookup for the template, where the
        label and the count, localized, cost two on each of a page's forty options."""
        return f"{self.label} ({self.count})"


@dataclass(frozen=True)
class Facets:
    """Options of each facet (kind, theme, year, territory) and the results: what the list
    finds with every chosen value."""

    options: dict[str, list[FacetOption]]
    results: list[Found]

    @property
    def total(self) -> int:
        return len(self.results)


@dataclass
class PublicationPage:
    """One page of the public list with its facets and the links to its neighbours."""

    items: list[Publication]
    total: int
    q: str
    facets: dict[str, list[FacetOption]]
    # Browse order (no q): keyset cursors "YYYY-MM-DD.id" for ?after= and ?before=.
    next_cursor: str | None = None
    previous_cursor: str | None = None
    # Search order: page numbers.
    page: int = 1
    page_count: int = 1
    pages: list[int | None] = field(default_factory=list)
    truncated: bool = False

    @property
    def is_search(self) -> bool:
        return bool(self.q)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor or self.page_count > 1)


# Keyset cursors ----------------------------------------------------------------------


def cursor_encode(publication: Publication) -> str:
    return f"{publication.published_on.isoformat()}.{publication.pk}"


def cursor_decode(value: object) -> tuple[datetime.date, int] | None:
    """(published_on, id) from "YYYY-MM-DD.id"; None for anything else."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    day, _, pk = value.partition(".")
    try:
        return datetime.date.fromisoformat(day), int(pk)
    except ValueError:
        return None


def _older_than(cursor: tuple[datetime.date, int]) -> Q:
    day, pk = cursor
    # The first condition lets the (status, -published_on, -id) index start at `day`.
    return Q(published_on__lte=day) & (Q(published_on__lt=day) | Q(pk__lt=pk))


def _newer_than(cursor: tuple[datetime.date, int]) -> Q:
    day, pk = cursor
    return Q(published_on__gte=day) & (Q(published_on__gt=day) | Q(pk__gt=pk))


# The list ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Found:
    """A published publication the list finds, with its values in each facet."""

    pk: int
    # By facet name: (kind,), theme ids, (year,), département ids.
    values: dict[str, Sequence]
    # Its place in a search's results, highest first: (rank, published_on, pk).
    relevance: tuple

    def missed(self, chosen: dict[str, object]) -> list[str]:
        """The facets whose chosen value it does not have (`chosen`: _chosen_keys)."""
        return [name for name, value in chosen.items() if value not in self.values[name]]


# What the list finds with its kind and year; with a search, {ranked} adds its rank and date
# and {matching} its condition (publications.search.search_where). The published ones, as
# PublicationQuerySet.published() finds them.
FOUND_SQL = """
    SELECT p.id, p.kind, extract(year FROM p.published_on)::int{ranked}
      FROM publications_publication p
     WHERE p.status = %s AND p.published_on <= %s{matching}
"""
LINKS_SQL = """
    SELECT publication_id, array_agg({column}) FROM {table} GROUP BY publication_id
"""


def _found(q: str) -> list[Found]:
    """The published publications the search finds (all of them without q), in one narrow
    read: the facets are counted from it and a search's page is sorted from it.

    One GROUP BY per facet, each reading the matches again, cost more than the rest of
    the page. Raw SQL: building this query with the ORM (the search's condition) cost
    several times what PostgreSQL takes to run it.
    """
    ranked = matching = ""
    rank_params, params = [], [PublicationStatus.PUBLISHED, timezone.localdate()]
    if q:
        condition, condition_params = search_where(q)
        ranked, rank_params = f", {RANK_SQL}, p.published_on", [fts_text(q)]
        matching = f" AND ({condition})"
        params += condition_params
    with connection.cursor() as cursor:
        cursor.execute(FOUND_SQL.format(ranked=ranked, matching=matching), rank_params + params)
        rows = cursor.fetchall()
    themes, departments = _links()
    return [
        Found(
            pk,
            {
                "kind": (kind,),
                "theme": themes.get(pk, ()),
                "year": (year,),
                "territory": departments.get(pk, ()),
            },
            relevance=(*ranked, pk),  # ranked: (rank, published_on) with q, () without
        )
        for pk, kind, year, *ranked in rows
    ]


@pagecache.kept_while_unchanged
def _links() -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """({publication id: its theme ids}, {publication id: its département ids}), kept in
    the process while the public content is unchanged, as portal.core.reference keeps the
    themes' names: reading them with a list's matches cost PostgreSQL two lookups a row."""
    return (
        _ids_by_publication("publications_publication_themes", "theme_id"),
        _ids_by_publication("publications_publication_departments", "department_id"),
    )


def _ids_by_publication(table: str, column: str) -> dict[int, list[int]]:
    with connection.cursor() as cursor:
        cursor.execute(LINKS_SQL.format(table=table, column=column))
        return dict(cursor.fetchall())


def _chosen_keys(chosen: dict[str, object]) -> dict[str, object]:
    """The chosen values as Found.values holds them (themes and départements by id)."""
    return {name: getattr(value, "pk", value) for name, value in chosen.items()}


def _territory_label(code: str, name: str) -> str:
    return f"{code} \N{EN DASH} {name}"


def _keep_chosen(options: list[FacetOption], chosen: FacetOption) -> None:
    """Show a chosen value that has no result with the other filters (count 0)."""
    if not any(option.selected for option in options):
        options.append(chosen)


def publication_facets(*, filterset: PublicationFilter, found: list[Found]) -> Facets:
    """Counts per kind, theme, year and territory for the current search and filters.

    Each facet is counted with every other filter applied but not its own, so the
    visitor sees the alternatives to the value chosen. Counted from `found` (_found());
    the themes and the départements are named from portal.core.reference.
    """
    chosen = filterset.cleaned()
    keys = _chosen_keys(chosen)
    # What each facet counts: the results, and what misses the facet's chosen value only.
    results, counted = found, dict.fromkeys(FACETS, found)
    if keys:
        results, counted = [], {name: [] for name in FACETS}
        for row in found:
            missed = row.missed(keys)
            if not missed:
                results.append(row)
            elif len(missed) == 1:
                counted[missed[0]].append(row)
        for rows in counted.values():
            rows.extend(results)
    counts = {
        name: Counter(chain.from_iterable(row.values[name] for row in rows))
        for name, rows in counted.items()
    }

    kinds = [
        FacetOption(value, str(label), counts["kind"][value], chosen.get("kind") == value)
        for value, label in PublicationKind.choices
        if value in counts["kind"] or chosen.get("kind") == value
    ]

    chosen_theme = keys.get("theme")
    theme_options = [
        FacetOption(theme.key, theme.label, counts["theme"][theme.pk], theme.pk == chosen_theme)
        for theme in reference().themes
        if theme.pk in counts["theme"]
    ]
    if theme := chosen.get("theme"):
        _keep_chosen(theme_options, FacetOption(theme.slug, theme.name, 0, True))

    year_options = [
        FacetOption(str(year), str(year), count, chosen.get("year") == year)
        for year, count in sorted(counts["year"].items(), reverse=True)
    ]
    if year := chosen.get("year"):
        _keep_chosen(year_options, FacetOption(str(year), str(year), 0, True))

    territories, chosen_territory = counts["territory"], keys.get("territory")
    territory_options = [
        FacetOption(
            d.key, _territory_label(d.key, d.name), territories[d.pk], d.pk == chosen_territory
        )
        for d in reference().departments
        if d.pk in territories
    ]
    if department := chosen.get("territory"):
        label = _territory_label(department.code, department.name)
        _keep_chosen(territory_options, FacetOption(department.code, label, 0, True))

    options = {
        "kind": kinds,
        "theme": theme_options,
        "year": year_options,
        "territory": territory_options,
    }
    return Facets(options=options, results=results)


def _page_number(value: object, page_count: int) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), page_count)


def _page_window(page: int, page_count: int, *, around: int = 2) -> list[int | None]:
    """Page numbers to link: the first, the last and those around `page`; None for a gap."""
    numbers = sorted({1, page_count, *range(page - around, page + around + 1)})
    window: list[int | None] = []
    for number in (n for n in numbers if 1 <= n <= page_count):
        if window and number - window[-1] > 1:
            window.append(None)
        window.append(number)
    return window


def _with_themes(items: list[Publication], found: list[Found]) -> None:
    """Set `listed_themes` on each item: its themes, in French order (entries of
    portal.core.reference), from what _found() read."""
    themes = {row.pk: row.values["theme"] for row in found}
    entries = reference().themes
    for item in items:
        ids = themes.get(item.pk, ())
        item.listed_themes = [theme for theme in entries if theme.pk in ids]


def _highlight(items: list[Publication], q: str) -> None:
    """Set `title_html` and `snippet` on each item: matched words in <mark>."""
    bodies = [plain_text(item.body_head, limit=BODY_SCAN_CHARS) for item in items]
    texts = [text for item in items for text in (item.title, item.summary)]
    highlighter = Highlighter(fts_text(q), [*texts, *bodies])
    for item, body in zip(items, bodies, strict=True):
        item.title_html = highlighter.highlight(item.title)
        item.snippet = highlighter.snippet(item.summary) or highlighter.snippet(body)


def publication_list(
    *,
    filterset: PublicationFilter,
    q: str = "",
    after: object = None,
    before: object = None,
    page: object = None,
) -> PublicationPage:
    """A page of published publications.

    Without q, newest first with keyset pagination (`after` / `before` cursors), so a
    page deep in the list costs what the first one costs. With q, by relevance then
    date, numbered pages up to MAX_SEARCH_PAGES.
    """
    found = _found(q)
    facets = publication_facets(filterset=filterset, found=found)
    total = facets.total
    result = PublicationPage(items=[], total=total, q=q, facets=facets.options)

    if q:
        available = math.ceil(total / PAGE_SIZE) if total else 1
        result.page_count = min(available, MAX_SEARCH_PAGES)
        result.truncated = available > MAX_SEARCH_PAGES
        result.page = _page_number(page, result.page_count)
        result.pages = _page_window(result.page, result.page_count)
        start = (result.page - 1) * PAGE_SIZE
        matches = sorted(facets.results, key=attrgetter("relevance"), reverse=True)
        shown = [row.pk for row in matches[start : start + PAGE_SIZE]]
        rows = Publication.objects.raw(SHOWN_SQL, [BODY_MARKUP_CHARS, shown])
        by_pk = {item.pk: item for item in rows}
        result.items = [by_pk[pk] for pk in shown if pk in by_pk]
        _with_themes(result.items, found)
        if result.items:
            _highlight(result.items, q)
        return result

    queryset = Publication.objects.published().order_by().only(*CARD_FIELDS)
    filtered = filterset.filter_queryset_without(queryset, None)
    newest_first = ("-published_on", "-pk")
    if (cursor := cursor_decode(before)) is not None:
        rows = list(
            filtered.filter(_newer_than(cursor)).order_by("published_on", "pk")[: PAGE_SIZE + 1]
        )
        has_previous, has_next = len(rows) > PAGE_SIZE, True
        items = rows[:PAGE_SIZE][::-1]
    else:
        cursor = cursor_decode(after)
        if cursor is not None:
            filtered = filtered.filter(_older_than(cursor))
        rows = list(filtered.order_by(*newest_first)[: PAGE_SIZE + 1])
        has_previous, has_next = cursor is not None, len(rows) > PAGE_SIZE
        items = rows[:PAGE_SIZE]
    result.items = items
    _with_themes(items, found)
    if items:
        result.next_cursor = cursor_encode(items[-1]) if has_next else None
        result.previous_cursor = cursor_encode(items[0]) if has_previous else None
    return result


# The detail -------------------------------------------------------------------------


def publication_detail(*, slug: str, include_unpublished: bool = False) -> Publication | None:
    """A publication (its own columns). What it is linked to is read by
    publication_with_relations, for the parts of its page kept in the fragments cache: on
    most visits not at all.

    Drafts and scheduled publications only with `include_unpublished` (staff preview).
    """
    queryset = Publication.objects.all() if include_unpublished else Publication.objects.published()
    return queryset.defer("search_vector").filter(slug=slug).first()


def publication_with_relations(*, publication: Publication) -> Publication:
    """The publication with its themes, territories, coproducers and public actions read
    (four queries, once)."""
    prefetch_related_objects(
        [publication],
        Prefetch("themes", queryset=french_ordered(Theme.objects.all())),
        Prefetch("departments", queryset=Department.objects.order_by("code")),
        "coproducers",
        Prefetch("actions", queryset=Action.objects.public().order_by("title")),
    )
    return publication


def publication_file(*, slug: str, include_unpublished: bool = False) -> Publication | None:
    """The publication whose file is asked for (only the columns a download needs)."""
    queryset = Publication.objects.all() if include_unpublished else Publication.objects.published()
    fields = ("pk", "slug", "file", "media_file", "status", "published_on")
    return queryset.only(*fields).filter(slug=slug).first()


def publication_related(*, publication: Publication, limit: int = RELATED_COUNT) -> list:
    """Published publications sharing the most themes (same kind when it has none).

    One query, and one for the themes unless publication_with_relations read them.
    """
    theme_ids = [theme.pk for theme in publication.themes.all()]
    queryset = Publication.objects.published().exclude(pk=publication.pk)
    queryset = queryset.defer("body", "search_vector")
    if theme_ids:
        queryset = queryset.filter(themes__in=theme_ids).annotate(shared=Count("themes"))
        queryset = queryset.order_by("-shared", "-published_on", "-pk")
    else:
        queryset = queryset.filter(kind=publication.kind).order_by("-published_on", "-pk")
    return list(queryset[:limit])


def publication_latest(*, limit: int = 3) -> list[Publication]:
    """The newest published publications (home page, feeds)."""
    return list(
        Publication.objects.published()
        .defer("body", "search_vector")
        .order_by("-published_on", "-pk")[:limit]
    )


def publications_for_action(*, action_id: int) -> list[Publication]:
    """Published publications that came out of an action, newest first."""
    return list(
        Publication.objects.published()
        .filter(actions=action_id)
        .defer("body", "search_vector")
        .order_by("-published_on", "-pk")
    )
