"""A year the portal holds no data for reads « — » beside a year it does: in the dashboard,
the PDF and both spreadsheets, never 0 and never a fall to « -100 % »."""

from __future__ import annotations

import csv
import datetime
import io
import re
from html import unescape

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pypdf import PdfReader

from newsletter.models import IssueStatus
from portal.reports.exports import figures_xlsx_build, table_csv_build
from portal.reports.pdf import report_pdf
from portal.reports.selectors import annual_figures, year_holds_data
from tests.infodoc.factories import InfoRequestFactory
from tests.members.factories import MembershipFactory
from tests.newsletter.factories import IssueFactory
from tests.publications.factories import PublicationFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine("2026-03-10 10:00 +01:00", tick=False),
]

DASHBOARD = reverse("reports:dashboard")
EMPTY = "—"
FALLS = ("-100", "\u2212100", "-97", "\u221297")


def activity(year: int) -> None:
    """Three publications, two info-doc requests and two memberships in `year`."""
    for day in (3, 10, 17):
        PublicationFactory(published_on=datetime.date(year, 5, day))
    for month in (2, 3):
        InfoRequestFactory(received_on=datetime.date(year, month, 2))
    MembershipFactory.create_batch(2, year=year)


@pytest.fixture
def director(client, director_user):
    client.force_login(director_user)
    return client


def _cell_text(html: str) -> str:
    """What a sighted reader sees in a cell: the visually hidden words left out."""
    html = re.sub(r'<span class="visually-hidden">.*?</span>', "", html)
    return unescape(re.sub(r"<[^>]+>", "", html)).strip()


def dashboard_rows(page: str) -> dict[str, tuple[str, str, str]]:
    """Key figures of the dashboard: label → (year before, year, change) as shown."""
    table = re.search(r'<table class="direction-figures">(.*?)</table>', page, re.S)[1]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        label = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        if label:
            cells = re.findall(r'<td class="num">(.*?)</td>', row, re.S)
            rows[unescape(label[1]).strip()] = tuple(_cell_text(cell) for cell in cells)
    return rows


def pdf_text(year: int) -> str:
    reader = PdfReader(io.BytesIO(report_pdf(annual_figures(year=year)).content))
    return re.sub(r"[ \u00a0\u202f]+", " ", "\n".join(p.extract_text() for p in reader.pages))


def csv_rows(year: int) -> list[list[str]]:
    text = table_csv_build(year=year, table="chiffres").decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def xlsx_sheets(year: int) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(io.BytesIO(figures_xlsx_build(year=year)))
    return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}


def figure_cells(rows: list[tuple]) -> list:
    """The figures of a sheet of figures: every cell but the labels, titles and headers."""
    return [cell for row in rows for cell in row[1:] if not isinstance(cell, str)]


# The definition ---------------------------------------------------------------------------


def test_any_kind_of_record_makes_a_year_hold_data():
    kinds = ("sessions", "memberships", "requests", "publications", "issues_sent")
    nothing = dict.fromkeys(kinds, 0)
    assert not year_holds_data(**nothing)
    for kind in nothing:
        assert year_holds_data(**{**nothing, kind: 1}), kind


def test_a_sent_issue_alone_makes_the_year_before_hold_data():
    IssueFactory(status=IssueStatus.SENT, sent_at=timezone.now().replace(year=2024))
    activity(2025)
    figures = annual_figures(year=2025)
    assert figures.has_data and figures.previous_has_data
    assert annual_figures(year=2024).previous_has_data is False


# A year with data after a year without -----------------------------------------------------


def test_the_dashboard_opens_on_the_last_complete_year_and_shows_dashes_before(director):
    activity(2025)

    response = director.get(DASHBOARD)

    assert (response.context["year"], response.context["previous_year"]) == (2025, 2024)
    figures = response.context["figures"]
    assert figures.has_data and not figures.previous_has_data
    page = response.content.decode()
    rows = dashboard_rows(page)
    assert rows[_("Publications")] == (EMPTY, "3", EMPTY)
    assert rows[_("Info-doc requests")] == (EMPTY, "2", EMPTY)
    assert rows[_("Members")] == (EMPTY, "2", EMPTY)
    for label, (before, _current, change) in rows.items():
        assert (before, change) == (EMPTY, EMPTY), label
    assert not any(fall in page for fall in FALLS)
    note = _("The portal holds no data for %(year)s: its figures read “—”, and no change is given.")
    assert note % {"year": 2024} in unescape(page)
    # The charts show 2025 alone, not 2025 against zeros.
    assert all(not chart.compared for chart in response.context["charts"])


def test_the_pdf_shows_dashes_for_the_year_before():
    activity(2025)

    text = pdf_text(2025)

    lines = [line.strip() for line in text.splitlines()]
    publications = next(line for line in lines if line.startswith(_("Publications released")))
    assert publications == f"{_('Publications released')} 3 {EMPTY} {EMPTY}"
    members = next(line for line in lines if line.startswith(_("Members") + " "))
    assert members == f"{_('Members')} 2 {EMPTY} {EMPTY}"
    assert not any(fall in text for fall in FALLS)
    three = ngettext(
        "%(total)s publication released in %(year)s.",
        "%(total)s publications released in %(year)s.",
        3,
    ) % {"total": 3, "year": 2025}
    assert three in text.replace("\n", " ")  # no « (0 in 2024) »


def test_the_spreadsheets_leave_the_year_before_empty():
    activity(2025)

    header, *rows = csv_rows(2025)
    assert header[1:3] == ["2025", "2024"]
    assert [row[0] for row in rows if row[1] not in ("", "0")]  # 2025 has its figures
    for row in rows:
        assert row[2:] == ["", ""], row
    publications = next(row for row in rows if row[0] == _("Publications"))
    assert publications == [_("Publications"), "3", "", ""]

    keys = xlsx_sheets(2025)[_("Key figures")]
    for row in keys[1:]:
        assert row[2:] == (None, None), row
    assert next(row for row in keys if row[0] == _("Members"))[1:] == (2, None, None)


# A year without data after a year with -----------------------------------------------------


def test_a_year_without_data_shows_dashes_and_no_fall(director):
    activity(2024)

    response = director.get(DASHBOARD, {"annee": 2025})

    figures = response.context["figures"]
    assert not figures.has_data and figures.previous_has_data
    page = response.content.decode()
    rows = dashboard_rows(page)
    assert rows[_("Publications")] == ("3", EMPTY, EMPTY)
    for label, (_before, current, change) in rows.items():
        assert (current, change) == (EMPTY, EMPTY), label
    assert not any(fall in page for fall in FALLS)
    assert response.context["charts"] == []

    text = pdf_text(2025)
    lines = [line.strip() for line in text.splitlines()]
    publications = next(line for line in lines if line.startswith(_("Publications released")))
    assert publications == f"{_('Publications released')} {EMPTY} 3 {EMPTY}"
    assert not any(fall in text for fall in FALLS)
    note = _("The portal holds no data for %(year)s: its figures read “—”, and no change is given.")
    assert note % {"year": 2025} in text.replace("\n", " ")

    _header, *rows = csv_rows(2025)
    for row in rows:
        assert (row[1], row[3]) == ("", ""), row
    assert next(row for row in rows if row[0] == _("Publications"))[2] == "3"

    sheets = xlsx_sheets(2025)
    for name in (_("Participation"), _("Info-doc"), _("Publications"), _("Members")):
        cells = figure_cells(sheets[name])
        assert cells and all(cell is None for cell in cells), name
    for row in sheets[_("Key figures")][1:]:
        assert (row[1], row[3]) == (None, None), row
