"""Downloads of the annual report's figures as spreadsheets (Direction only).

The files are built on each request from the database: they are small (a year of rows)
and must never sit in a cache, shared or private, since they name members.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from portal.core.roles import director_required
from portal.reports import exports
from portal.reports.selectors import report_years

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def _year_check(year: int) -> None:
    if year not in report_years():
        raise Http404


def _attachment(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@director_required
@require_safe
def figures_xlsx(request, year: int) -> HttpResponse:
    _year_check(year)
    return _attachment(
        exports.figures_xlsx_build(year=year),
        content_type=XLSX_TYPE,
        filename=f"chiffres-{year}.xlsx",
    )


@never_cache
@director_required
@require_safe
def table_csv(request, year: int, table: str) -> HttpResponse:
    _year_check(year)
    if table not in exports.CSV_TABLES:
        raise Http404
    return _attachment(
        exports.table_csv_build(year=year, table=table),
        content_type=CSV_TYPE,
        filename=f"{table}-{year}.csv",
    )
