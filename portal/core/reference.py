"""The reference data of the public pages (themes, départements), kept in each process.

A cold agenda page read the themes and the départements four times (the filter's
options and the chosen values): a few dozen rows that change a few times a year. Each
process keeps them while the public content is unchanged: the page cache's version,
which every committed change of a public model moves on (portal.core.pagecache), is read
from Redis — one round trip instead of the queries (pagecache.content_version(), which
also counts the process's own writes: it reads them at once).
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.core import pagecache
from portal.core.collation import french_ordered
from portal.core.models import Department, Theme
from portal.core.text import loose_words


@dataclass(frozen=True)
class Entry:
    pk: int
    key: str  # what a page's address carries: a theme's slug, a département's code
    label: str
    name: str  # a theme's label; a département's name without its code
    # The label's words folded as a search's are (loose_words), kept for themes_matching.
    words: tuple[str, ...]


@dataclass(frozen=True)
class Reference:
    themes: tuple[Entry, ...]  # in French order of their names
    departments: tuple[Entry, ...]  # by code

    def theme_choices(self) -> list[tuple[str, str]]:
        return [(theme.key, theme.label) for theme in self.themes]

    def department_choices(self) -> list[tuple[str, str]]:
        return [(department.key, department.label) for department in self.departments]

    def theme_pk(self, slug: str) -> int | None:
        return next((theme.pk for theme in self.themes if theme.key == slug), None)

    def department_pk(self, code: str) -> int | None:
        return next((d.pk for d in self.departments if d.key == code), None)


def _entry(pk: int, key: str, label: str, name: str) -> Entry:
    return Entry(pk, key, label, name, tuple(loose_words(label)))


@pagecache.kept_while_unchanged
def reference() -> Reference:
    """The themes and the départements (one Redis round trip while they are kept)."""
    themes = french_ordered(Theme.objects.all()).values_list("pk", "slug", "name")
    return Reference(
        themes=tuple(_entry(pk, slug, name, name) for pk, slug, name in themes),
        departments=tuple(
            _entry(department.pk, department.code, str(department), department.name)
            for department in Department.objects.order_by("code")
        ),
    )
