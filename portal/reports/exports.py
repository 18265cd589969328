"""The annual report's figures and the rows behind them, as spreadsheets for directors.

Every table is built once, as plain values with a kind per column, then written by
portal.core.sheets.writing either to one XLSX workbook or to a CSV table, so both always
show the same numbers as `annual_figures`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.utils.translation import gettext as _

from events.selectors.figures import session_rows
from infodoc.selectors.figures import request_rows
from members.models import MembershipCategory
from members.selectors.figures import member_rows
from portal.core.sheets.writing import (
    DATE,
    DECIMAL,
    EUROS,
    INTEGER,
    PERCENT,
    Column,
    Sheet,
    Table,
    Typed,
    csv_build,
    xlsx_build,
)
from portal.reports.selectors import AnnualFigures, annual_figures
from publications.models import PublicationKind
from publications.selectors.figures import publication_rows


def _blank(figures: AnnualFigures, table: Table) -> Table:
    """A table of the year's figures, with every figure left empty (never 0) when the
    portal holds no data for the year; the labels in the first column stay."""
    if figures.has_data:
        return table
    rows = tuple((row[0], *(None for _cell in row[1:])) for row in table.rows)
    return Table(table.title, table.columns, rows)


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


# The figures -----------------------------------------------------------------------------


def _columns(*specs) -> tuple[Column, ...]:
    """Columns from headers (text) and (header, kind) pairs."""
    return tuple(Column(*spec) if isinstance(spec, tuple) else Column(spec) for spec in specs)


def key_figures_table(figures: AnnualFigures) -> Table:
    """Figure, the year, the year before and the change of counts, as the report's key
    figures; a year the portal holds no data for has empty cells, never 0."""
    p, r = figures.participation, figures.requests
    news, members, dues = figures.newsletter, figures.members, figures.dues
    known = figures.known

    def both(current, name: str) -> tuple:
        previous = current.previous
        return getattr(current, name), getattr(previous, name) if previous else None

    def count(label, current, previous=None):
        change = figures.change(current, previous)
        return (label, known(current), known(previous, previous=True), change)

    def typed(label, kind, current, previous=None):
        return (
            label,
            Typed(known(current), kind),
            Typed(known(previous, previous=True), kind),
            None,
        )

    rows = (
        count(_("Actions"), *both(p, "actions")),
        count(_("Sessions"), *both(p, "sessions")),
        count(_("Half-days"), *both(p, "half_days")),
        count(_("Cumulative participations"), *both(p, "participations")),
        count(_("Named participations"), *both(p, "named_participations")),
        count(_("Counted participations"), *both(p, "headcount_participations")),
        count(_("Unique participants"), *both(p, "unique_participants")),
        count(_("Publications"), figures.publications.count, figures.publications.previous_count),
        count(_("Info-doc requests"), *both(r, "requests")),
        count(_("Requests answered"), *both(r, "answered")),
        typed(_("Median response time (days)"), DECIMAL, *both(r, "median_response_days")),
        typed(_("Outside-area share (%)"), PERCENT, *both(r, "outside_area_percent")),
        count(_("Newsletter issues sent"), news.issues_sent),
        count(_("Newsletter subscribers"), news.subscribers, news.previous_subscribers),
        typed(_("Delivery rate (%)"), PERCENT, news.delivery_rate),
        count(_("Members"), members.total, members.previous_total),
        typed(_("Dues invoiced (€)"), EUROS, dues.invoiced),
        typed(_("Dues collected (€)"), EUROS, dues.collected),
        typed(_("Dues outstanding (€)"), EUROS, dues.outstanding),
    )
    columns = _columns(
        _("Figure"), (str(figures.year), INTEGER), (str(figures.year - 1), INTEGER),
        (_("Change (%)"), PERCENT),
    )  # fmt: skip
    return Table(_("Key figures"), columns, rows)


def _shares_table(title: str, header: str, unit: str, shares, *extra: tuple) -> Table:
    columns = _columns(header, (unit, INTEGER), (_("Share (%)"), PERCENT))
    return Table(title, columns, (*((s.label, s.count, s.percent) for s in shares), *extra))


def _groups_table(title: str, first: tuple, groups, head: Callable[[object], tuple]) -> Table:
    """Themes, formats or actions: `head` gives the first cells, then their activity."""
    columns = _columns(
        *first, (_("Sessions"), INTEGER), (_("Half-days"), INTEGER),
        (_("Participations"), INTEGER),
    )  # fmt: skip
    rows = tuple((*head(g), g.sessions, g.half_days, g.participations) for g in groups)
    return Table(title, columns, rows)


def participation_tables(figures: AnnualFigures) -> tuple[Table, ...]:
    p = figures.participation
    units = _("Participations")
    group_first = (_("Actions"), INTEGER)
    return (
        _shares_table(_("By département"), _("Département"), units, p.by_department),
        _shares_table(_("By type of actor"), _("Type of actor"), units, p.by_actor_type),
        _groups_table(
            _("By theme"), (_("Theme"), group_first), p.by_theme, lambda g: (g.label, g.actions)
        ),
        _groups_table(
            _("By format"), (_("Format"), group_first), p.by_format, lambda g: (g.label, g.actions)
        ),
        _groups_table(
            _("Top actions"), (_("Action"), _("Format")), figures.top_actions,
            lambda a: (a.title, a.format_label),
        ),
    )  # fmt: skip


def infodoc_tables(figures: AnnualFigures) -> tuple[Table, ...]:
    r = figures.requests
    units = _("Requests")
    outside = r.outside_area_percent
    inside = None if outside is None else 100 - outside
    return (
        _shares_table(_("By requester kind"), _("Requester kind"), units, r.by_requester_kind),
        _shares_table(
            _("By theme"), _("Theme"), units, r.by_theme,
            (_("Without theme"), r.requests_without_theme, None),
        ),
        _shares_table(_("By territory"), _("Territory"), units, r.by_epci),
        _shares_table(
            _("Centre's area"), _("Territory"), units, (),
            (_("Inside the centre's area"), r.inside_area, inside),
            (_("Outside the centre's area"), r.outside_area, outside),
            (_("Unknown territory"), r.unknown_area, None),
        ),
        _shares_table(_("By type of response"), _("Type of response"), units, r.by_response_type),
    )  # fmt: skip


def publications_table(figures: AnnualFigures) -> Table:
    rows = tuple((k.label, len(k.titles)) for k in figures.publications.by_kind)
    total = (_("Total"), figures.publications.count)
    columns = _columns(_("Kind"), (_("Publications"), INTEGER))
    return Table(_("Publications by kind"), columns, (*rows, total))


def members_table(figures: AnnualFigures) -> Table:
    rows = tuple((c.label, len(c.names)) for c in figures.members.by_category)
    columns = _columns(_("Category"), (_("Members"), INTEGER))
    return Table(_("Members by category"), columns, (*rows, (_("Total"), figures.members.total)))


# The rows ---------------------------------------------------------------------------------


def sessions_table(*, year: int, until: datetime | None = None) -> Table:
    columns = _columns(
        (_("Date"), DATE), _("Action"), _("Session"), _("Format"), _("Themes"), _("Commune"),
        _("Place"), (_("Half-days"), INTEGER), (_("Named participations"), INTEGER),
        (_("Counted participations"), INTEGER), (_("Total"), INTEGER),
    )  # fmt: skip
    online = _("Online")
    rows = tuple(
        (
            row["date"], row["action"], row["title"], row["format_label"], ", ".join(row["themes"]),
            row["commune"], row["venue"] or (online if row["is_online"] else ""), row["half_days"],
            row["named_participations"], row["headcount_participations"], row["participations"],
        )
        for row in session_rows(year=year, until=until)
    )  # fmt: skip
    return Table(_("Sessions"), columns, rows)


def requests_table(*, year: int) -> Table:
    columns = _columns(
        _("Reference"), (_("Received on"), DATE), _("Requester kind"), _("Themes"),
        _("Département"), _("EPCI"), _("Status"), (_("Answered on"), DATE),
        (_("Response time (days)"), INTEGER),
    )  # fmt: skip
    rows = tuple(
        (
            row["reference"], row["received_on"], row["requester_kind_label"],
            ", ".join(row["themes"]),
            f"{row['department']} ({row['department_code']})" if row["department_code"] else "",
            row["epci"], row["status_label"], row["answered_on"], row["response_days"],
        )
        for row in request_rows(year=year)
    )  # fmt: skip
    return Table(_("Requests"), columns, rows)


def publications_list_table(*, year: int) -> Table:
    columns = _columns((_("Date"), DATE), _("Kind"), _("Title"), _("Authors"))
    rows = tuple(
        (row["published_on"], _label(PublicationKind, row["kind"]), row["title"], row["authors"])
        for row in publication_rows(year=year)
    )
    return Table(_("Publications (list)"), columns, rows)


def members_list_table(*, year: int) -> Table:
    columns = _columns(_("Category"), _("Name"), (_("Dues (€)"), EUROS))
    rows = tuple(
        (_label(MembershipCategory, row["category"]), row["name"], row["amount"])
        for row in member_rows(year=year)
    )
    return Table(_("Members (list)"), columns, rows)


# XLSX ------------------------------------------------------------------------------------


def figures_xlsx_build(*, year: int, until: datetime | None = None) -> bytes:
    """The workbook « chiffres-<year>.xlsx »: the figures' sheets, then the rows' sheets."""
    figures = annual_figures(year=year, until=until)

    def blank(tables: tuple[Table, ...]) -> tuple[Table, ...]:
        return tuple(_blank(figures, table) for table in tables)

    sheets = (
        Sheet(_("Key figures"), (key_figures_table(figures),)),
        Sheet(_("Participation"), blank(participation_tables(figures))),
        Sheet(_("Info-doc"), blank(infodoc_tables(figures))),
        Sheet(_("Publications"), blank((publications_table(figures),))),
        Sheet(_("Members"), blank((members_table(figures),))),
        Sheet(_("Sessions"), (sessions_table(year=year, until=until),)),
        Sheet(_("Requests"), (requests_table(year=year),)),
        Sheet(_("Publications (list)"), (publications_list_table(year=year),)),
        Sheet(_("Members (list)"), (members_list_table(year=year),)),
    )
    return xlsx_build(sheets)


# CSV -------------------------------------------------------------------------------------


CSV_TABLES: dict[str, Callable[[int], Table]] = {
    "chiffres": lambda year: key_figures_table(annual_figures(year=year)),
    "sessions": lambda year: sessions_table(year=year),
    "demandes": lambda year: requests_table(year=year),
    "publications": lambda year: publications_list_table(year=year),
    "adherents": lambda year: members_list_table(year=year),
}


def table_csv_build(*, year: int, table: str) -> bytes:
    """One of CSV_TABLES (the slug of its URL) for `year`; KeyError for an unknown table."""
    return csv_build(CSV_TABLES[table](year))
