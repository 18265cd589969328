"""The director dashboard: a year against the one before, the built reports, their PDFs.

Directors only (the "Direction" group). The PDFs live under the private media and are
served here, never by a guessable /media/ URL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import TemplateView

from events.selectors.figures import Share
from portal.core.files import file_response
from portal.core.roles import DirectorRequiredMixin, director_required
from portal.reports.charts import bar_chart, comparison_chart
from portal.reports.models import ReportBuild
from portal.reports.selectors import (
    AnnualFigures,
    annual_figures,
    last_complete_year,
    report_builds,
    report_years,
)
from portal.reports.services import report_build_request

# The CSV tables of views_exports.table_csv: (slug in the URL, what it holds).
CSV_TABLES = (
    ("chiffres", gettext_lazy("Figures of the year")),
    ("sessions", gettext_lazy("Participations per session")),
    ("demandes", gettext_lazy("Info-doc requests")),
    ("publications", gettext_lazy("Publications")),
    ("adherents", gettext_lazy("Members")),
)


@dataclass(frozen=True)
class KeyFigure:
    """One line of the key figures: this year and the year before when the portal holds
    data for them (None: « — »), and the change when both are known."""

    label: str
    current: int | Decimal | None
    previous: int | Decimal | None = None
    money: bool = False
    change: Decimal | None = None


@dataclass(frozen=True)
class Chart:
    """A small chart and the rows behind it, shown as a table for screen readers."""

    title: str
    svg: str
    rows: Sequence[tuple]  # (label, previous, current) or (label, value)
    compared: bool = True


def chosen_year(value: str | None, years: Sequence[int]) -> int:
    """The year asked for by ?annee=, or the last complete year for anything else (no
    error page): whole against whole, never a year in progress against a whole one."""
    default = last_complete_year()
    try:
        year = int(value or "")
    except ValueError:
        return default
    return year if year in years else default


def _key_figures(figures: AnnualFigures) -> list[KeyFigure]:
    participation, requests = figures.participation, figures.requests
    before = participation.previous
    news, members, dues = figures.newsletter, figures.members, figures.dues
    publications, earlier = figures.publications, requests.previous

    def line(label, current, previous=None, *, money: bool = False) -> KeyFigure:
        return KeyFigure(
            label,
            figures.known(current),
            figures.known(previous, previous=True),
            money,
            figures.change(current, previous),
        )

    return [
        line(_("Actions"), participation.actions, before and before.actions),
        line(_("Sessions"), participation.sessions, before and before.sessions),
        line(_("Half-days"), participation.half_days, before and before.half_days),
        line(
            _("Cumulative participations"),
            participation.participations,
            before and before.participations,
        ),
        line(_("Publications"), publications.count, publications.previous_count),
        line(_("Info-doc requests"), requests.requests, earlier and earlier.requests),
        line(_("Newsletter issues sent"), news.issues_sent),
        line(_("Newsletter subscribers"), news.subscribers, news.previous_subscribers),
        line(_("Members"), members.total, members.previous_total),
        line(_("Dues invoiced"), dues.invoiced, money=True),
        line(_("Dues collected"), dues.collected, money=True),
    ]


def _compared(current: Sequence[Share], previous: Sequence[Share]) -> list[tuple[str, int, int]]:
    """(label, previous, current) per key of either year, largest this year first."""
    rows: dict[str, list] = {share.key: [share.label, 0, share.count] for share in current}
    for share in previous:
        rows.setdefault(share.key, [share.label, 0, 0])[1] = share.count
    ordered = sorted(rows.values(), key=lambda row: (-row[2], -row[1], row[0].casefold()))
    return [tuple(row) for row in ordered if row[1] or row[2]]


def _charts(figures: AnnualFigures) -> list[Chart]:
    """None for a year the portal holds no data for; the year alone when the year before
    holds none (never the year against zeros)."""
    if not figures.has_data:
        return []
    year = figures.year
    participation, requests = figures.participation, figures.requests
    before = participation.previous
    compared = [
        (_("Participations by département"), participation.by_department,
         before.by_department if before else ()),
        (_("Participations by kind of participant"), participation.by_actor_type,
         before.by_actor_type if before else ()),
        (_("Info-doc requests by kind of requester"), requests.by_requester_kind,
         requests.previous.by_requester_kind if requests.previous else ()),
    ]  # fmt: skip
    charts = []
    for title, current, previous in compared:
        if not figures.previous_has_data:
            rows = [(share.label, share.count) for share in current if share.count]
            if rows:
                charts.append(Chart(title, bar_chart(rows, title=title), rows, compared=False))
            continue
        rows = _compared(current, previous)
        if rows:
            svg = comparison_chart(rows, title=title, years=(year - 1, year))
            charts.append(Chart(title, svg, rows))
    themes = [(group.label, group.participations) for group in participation.by_theme]
    kinds = [(kind.label, len(kind.titles)) for kind in figures.publications.by_kind]
    for title, rows in (
        (_("Participations by theme in %(year)s") % {"year": year}, themes),
        (_("Publications by kind in %(year)s") % {"year": year}, kinds),
    ):
        rows = [row for row in rows if row[1]]
        if rows:
            charts.append(Chart(title, bar_chart(rows, title=title), rows, compared=False))
    return charts


class DashboardView(DirectorRequiredMixin, TemplateView):
    template_name = "reports/dashboard.html"

    def get_context_data(self, **kwargs):
        years = report_years()
        year = chosen_year(self.request.GET.get("annee"), years)
        figures = annual_figures(year=year)
        builds = report_builds()
        return super().get_context_data(
            **kwargs,
            year=year,
            previous_year=year - 1,
            in_progress=year >= timezone.localdate().year,
            years=years,
            figures=figures,
            key_figures=_key_figures(figures),
            charts=_charts(figures),
            builds=builds,
            build=next((build for build in builds if build.year == year), None),
            live=any(build.is_running for build in builds),
            csv_tables=CSV_TABLES,
        )


@require_POST
@director_required
def report_build(request, year: int):
    """Queue the year's PDF; the dashboard then follows its progress."""
    if year not in report_years():
        raise Http404
    running = ReportBuild.objects.filter(year=year).first()
    if running is not None and running.is_running:
        messages.info(request, _("The report of %(year)s is already being built.") % {"year": year})
    else:
        report_build_request(year=year, user=request.user)
        messages.success(
            request,
            _("The report of %(year)s is being built; this page shows its progress.")
            % {"year": year},
        )
    return redirect(f"{reverse('reports:dashboard')}?annee={year}")


def build_progress(build: ReportBuild) -> dict:
    return {
        "percent": build.progress,
        "step": build.step,
        "status": build.status,
        "status_label": str(build.get_status_display()),
        "finished": not build.is_running,
        "pages": build.pages,
        "size": build.size,
    }


@require_GET
@director_required
def report_progress(request, year: int):
    """Polled by static/js/admin_progress.js while a build runs."""
    response = JsonResponse(build_progress(get_object_or_404(ReportBuild, year=year)))
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
@director_required
def report_download(request, year: int):
    build = get_object_or_404(ReportBuild, year=year)
    if not build.file:
        raise Http404
    response = file_response(
        build.file,
        as_attachment=True,
        filename=f"rapport-activite-{year}.pdf",
        content_type="application/pdf",
    )
    patch_cache_control(response, private=True, no_store=True)
    return response
