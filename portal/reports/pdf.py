"""The annual activity report as a PDF: the figures laid out by a template, WeasyPrint after.

Everything the template shows is prepared here from `AnnualFigures` (charts, member
groups, key figures, the sections and their titles), so the template only lays out
and formats, and the table of contents and the pages always name the same sections.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from events.selectors.figures import Share
from members.models import MembershipCategory
from portal.core.formats import NARROW_NBSP
from portal.core.models import SiteSettings
from portal.core.pdf import render_pdf_pages
from portal.reports.charts import bar_chart, comparison_chart
from portal.reports.selectors import AnnualFigures

TEMPLATE = "reports/pdf/report.html"
LIST_SEPARATOR = f"{NARROW_NBSP}; "  # « Argenteuil ; Bezons ; Cergy »
CHART_WIDTH = 560


@dataclass(frozen=True)
class RenderedReport:
    content: bytes
    pages: int


@dataclass(frozen=True)
class Section:
    """A first-level part of the report: its anchor, for the table of contents, and title."""

    id: str
    title: str


@dataclass(frozen=True)
class KeyFigure:
    label: str
    value: int | None  # None: the portal holds no data for the year
    previous: int | None  # None: the year before is not known for this figure
    change: Decimal | None  # in %, None without a base


@dataclass(frozen=True)
class MemberGroup:
    """A heading of the list of members and its lines (a label, may be empty, and names)."""

    heading: str
    lines: tuple[tuple[str, tuple[str, ...]], ...]


def report_title(*, year: int, site_name: str) -> str:
    """« Rapport d'activité 2025 - <centre> » (an en dash): the PDF's title."""
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Activity report %(year)s – %(site)s")  # noqa: RUF001
        return title % {"year": year, "site": site_name}


def report_sections(figures: AnnualFigures) -> list[Section]:
    """The report's parts in order; the foreword and perspectives only when written, the
    parts of figures only for a year the portal holds data for."""
    figured = figures.has_data
    sections = [
        Section("key_figures", _("Key figures")),
        Section("foreword", _("Foreword")) if figures.edition.foreword.strip() else None,
        Section("organisation", pgettext("annual report", "The organisation")),
        Section("participation", pgettext("annual report", "Participation")) if figured else None,
        Section("publications", pgettext("annual report", "Publications")) if figured else None,
        Section("infodoc", pgettext("annual report", "Info-doc")) if figured else None,
        Section("resonances", pgettext("annual report", "The Résonances newsletter"))
        if figured
        else None,
        Section("dues", pgettext("annual report", "Dues")) if figured else None,
        Section("perspectives", _("Perspectives"))
        if figures.edition.perspectives.strip()
        else None,
    ]
    return [section for section in sections if section is not None]


def _key_figures(figures: AnnualFigures) -> list[KeyFigure]:
    participation, previous = figures.participation, figures.participation.previous
    requests = figures.requests
    rows = [
        (_("Actions carried out"), participation.actions, previous and previous.actions),
        (_("Sessions held"), participation.sessions, previous and previous.sessions),
        (_("Half-days"), participation.half_days, previous and previous.half_days),
        (
            _("Cumulative participations"),
            participation.participations,
            previous and previous.participations,
        ),
        (
            _("Unique participants"),
            participation.unique_participants,
            previous and previous.unique_participants,
        ),
        (
            _("Publications released"),
            figures.publications.count,
            figures.publications.previous_count,
        ),
        (
            _("Info-doc requests received"),
            requests.requests,
            requests.previous and requests.previous.requests,
        ),
        (_("Newsletter issues sent"), figures.newsletter.issues_sent, None),
        (
            _("Newsletter subscribers at the end of the year"),
            figures.newsletter.subscribers,
            figures.newsletter.previous_subscribers,
        ),
        (_("Members"), figures.members.total, figures.members.previous_total),
    ]
    return [
        KeyFigure(
            label=label,
            value=figures.known(value),
            previous=figures.known(previous_value, previous=True),
            change=figures.change(value, previous_value),
        )
        for label, value, previous_value in rows
    ]


def _member_groups(figures: AnnualFigures) -> list[MemberGroup]:
    """Members as the 2023 report lists them: associations, individuals, local
    authorities (cities, then EPCI), other organisations; empty groups left out."""
    names = {group.category: group.names for group in figures.members.by_category}
    labels = {group.category: group.label for group in figures.members.by_category}
    groups = [
        MemberGroup(_("Associations"), (("", names.get(MembershipCategory.ASSOCIATION, ())),)),
        MemberGroup(_("Individual members"), (("", names.get(MembershipCategory.INDIVIDUAL, ())),)),
        MemberGroup(
            _("Local authorities"),
            (
                (_("Cities"), names.get(MembershipCategory.CITY, ())),
                (_("EPCI"), names.get(MembershipCategory.EPCI, ())),
            ),
        ),
        MemberGroup(_("Other organisations"), (("", names.get(MembershipCategory.OTHER, ())),)),
    ]
    known = set(MembershipCategory.values)
    groups += [
        MemberGroup(labels[category], (("", group),))
        for category, group in names.items()
        if category not in known
    ]
    return [
        MemberGroup(group.heading, tuple(line for line in group.lines if line[1]))
        for group in groups
        if any(line_names for _label, line_names in group.lines)
    ]


def _departments(figures: AnnualFigures) -> list[tuple[Share, int | None]]:
    """Each département's share of the year, with its participations the year before
    (None when the portal holds no data for the year before)."""
    previous = figures.participation.previous
    before = {share.key: share.count for share in previous.by_department} if previous else {}
    return [
        (share, figures.known(before.get(share.key, 0), previous=True))
        for share in figures.participation.by_department
    ]


def _departments_chart(figures: AnnualFigures, colour: str) -> str:
    """The year against the one before, or the year alone when that one is not known."""
    year = figures.year
    if not figures.previous_has_data:
        return bar_chart(
            [(share.label, share.count) for share in figures.participation.by_department],
            title=_("Participations by département in %(year)s") % {"year": year},
            width=CHART_WIDTH,
            colour=colour,
        )
    return comparison_chart(
        [(share.label, before, share.count) for share, before in _departments(figures)],
        title=_("Participations by département, %(previous)s and %(year)s")
        % {"previous": year - 1, "year": year},
        years=(year - 1, year),
        width=CHART_WIDTH,
        colour=colour,
    )


def _charts(figures: AnnualFigures, colour: str) -> dict:
    participation, year = figures.participation, figures.year
    return {
        "departments": _departments_chart(figures, colour),
        "actor_types": bar_chart(
            [(s.label, s.percent) for s in participation.by_actor_type],
            title=_("Share of participations by type of participant in %(year)s") % {"year": year},
            unit="%",
            width=CHART_WIDTH,
            colour=colour,
        ),
        "publications": bar_chart(
            [(kind.label, len(kind.titles)) for kind in figures.publications.by_kind],
            title=_("Publications by kind in %(year)s") % {"year": year},
            width=CHART_WIDTH,
            colour=colour,
        ),
        "requesters": bar_chart(
            [(s.label, s.percent) for s in figures.requests.by_requester_kind],
            title=_("Share of info-doc requests by requester in %(year)s") % {"year": year},
            unit="%",
            width=CHART_WIDTH,
            colour=colour,
        ),
    }


def report_context(figures: AnnualFigures) -> dict:
    """What the template needs, built in French (titles and charts carry text)."""
    site = SiteSettings.load()
    participation, requests = figures.participation, figures.requests
    before = participation.previous
    with translation.override(settings.LANGUAGE_CODE):
        sections = report_sections(figures)
        return {
            "figures": figures,
            "year": figures.year,
            "previous_year": figures.year - 1,
            "site": site,
            "title": report_title(year=figures.year, site_name=site.name),
            "edited_on": timezone.localdate(),
            "sections": sections,
            "headings": {section.id: section.title for section in sections},
            "key_figures": _key_figures(figures),
            "member_groups": _member_groups(figures),
            # Several organisations may share a funder's name (« CAF Val-d'Oise »): listed once.
            "funders": list(dict.fromkeys(figures.funders)),
            "separator": LIST_SEPARATOR,
            "charts": _charts(figures, site.primary_colour),
            "departments": _departments(figures),
            # The year before and the changes, None where the portal holds no data for a year.
            "participations_change": figures.change(
                participation.participations, before.participations if before else None
            ),
            "requests_change": figures.change(
                requests.requests, requests.previous.requests if requests.previous else None
            ),
            "publications_previous": figures.known(
                figures.publications.previous_count, previous=True
            ),
            "previous_subscribers": figures.known(
                figures.newsletter.previous_subscribers, previous=True
            ),
            "subscribers_change": figures.change(
                figures.newsletter.subscribers, figures.newsletter.previous_subscribers
            ),
        }


def report_html(figures: AnnualFigures) -> str:
    """The HTML WeasyPrint lays out, as render_pdf renders it (for the benchmark)."""
    context = report_context(figures)
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(TEMPLATE, context)


def report_pdf(figures: AnnualFigures) -> RenderedReport:
    """The tagged PDF of the year's report and its number of pages."""
    rendered = render_pdf_pages(TEMPLATE, report_context(figures))
    return RenderedReport(content=rendered.content, pages=rendered.pages)
