"""A paginator for big admin lists (subscribers, deliveries): it never counts a whole table.

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
