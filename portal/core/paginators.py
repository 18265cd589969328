"""Paginators that count less: public lists, big admin lists.

ShortListPaginator reads the first page with one row more than it shows: when that row
is not there, the list is the page and its length is the count, with no COUNT query (a
filtered agenda mostly fits on one page). Further pages, and a full first one, count.

CappedCountPaginator, for big admin lists (subscribers, deliveries), never counts a
whole table.

Counting 100,000 rows on every page of a changelist costs more than the page itself.
CappedCountPaginator counts at most CAP rows, through a sliced subquery
(`SELECT COUNT(*) FROM (SELECT id ... LIMIT CAP + 1)`), and says « more than CAP »
beyond. Pages past the cap are out of reach: staff narrow the list with the search
and the filters instead.

Use it with `show_full_result_count = False`, and show the capped count with the
template `admin/capped_pagination.html`: a model's `admin/<app>/<model>/pagination.html`
that includes it is enough.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext

COUNT_CAP = 10_000


class ShortListPaginator(Paginator):
    def get_page(self, number):
        if str(number or 1) != "1":
            return super().get_page(number)
        rows = list(self.object_list[: self.per_page + 1])
        if len(rows) > self.per_page:
            rows = rows[: self.per_page]
        else:
            self.count = len(rows)  # sets the cached_property: no COUNT
        return self._get_page(rows, 1, self)


class CappedCountPaginator(Paginator):
    cap = COUNT_CAP

    @cached_property
    def _counted(self) -> int:
        """The rows counted, at most `cap` + 1."""
        rows = self.object_list
        try:
            return rows.order_by().values("pk")[: self.cap + 1].count()
        except (AttributeError, TypeError):  # a list, not a queryset
            return len(rows)

    @property
    def capped(self) -> bool:
        """True when there are more rows than `cap`."""
        return self._counted > self.cap

    @property
    def count(self) -> int:
        """The number of rows, up to `cap`."""
        return min(self._counted, self.cap)

    @property
    def count_display(self) -> str:
        """« 1 234 », or « plus de 10 000 » when the count was capped."""
        if self.capped:
            cap = number_format(self.cap, force_grouping=True)
            return gettext("more than %(count)s") % {"count": cap}
        return number_format(self.count, force_grouping=True)
