"""Spreadsheet exports of the annual report against a small fixture computed by hand.

Year Y (last year, so every session is past), times in Europe/Paris:

A1 « =Atelier formule » (peer group, theme Santé; its title starts like a formula)
  s1 12/03 09:30-12:30 (1 half-day) in Commune 95: p95, p78 present, p95b absent
     + headcount 95 collectivity staff 10 → 12
A2 meeting, no theme
  s2 20/06 09:00-17:00 (2 half-days), online: p95 present → 1
  s3 21/06 cancelled: p78 present → not counted
Y-1: A1 one session, p95 present → 1

Totals for Y: 2 actions, 2 sessions, 3 half-days, 3 named + 10 counted = 13 participations
(+1200.0 % against Y-1).
Requests in Y: R1 (city, theme Santé, EPCI, 95, answered), R2 (association, commune in 78),
R3 (student, no territory); one in Y-1. Publications in Y: 2 published (+1 draft), 1 in Y-1.
Members in Y: the association « =2+3 Habitants » (150 €) and one individual (30 €).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import ActionFormat, Attendance, Headcount
from events.selectors.figures import session_rows
from infodoc.models import RequesterKind, RequestStatus
from infodoc.selectors.figures import request_rows
from members.models import ActorType
from portal.core.models import Theme
from portal.reports.exports import figures_xlsx_build, table_csv_build
from portal.reports.selectors import annual_figures
from publications.models import PublicationStatus
from tests.events.factories import ActionFactory, SessionFactory
from tests.infodoc.factories import InfoRequestFactory
from tests.members.factories import (
    CommuneFactory,
    DepartmentFactory,
    EpciFactory,
    IndividualMembershipFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
)
from tests.publications.factories import PublicationFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
Y = timezone.localdate().year - 1


def at(year, month, day, hour, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def session(action, start: datetime, hours: float, **extra):
    return SessionFactory(
        action=action, starts_at=start, ends_at=start + timedelta(hours=hours), **extra
    )


def attend(session_, *people, present=True):
    for person in people:
        Attendance.objects.create(session=session_, person=person, present=present)


@pytest.fixture
def data():
    d95 = DepartmentFactory(code="95", name="Val-d'Oise")
    d78 = DepartmentFactory(code="78", name="Yvelines")
    p95 = PersonFactory(department=d95, last_name="Secret-Nom", email="secret@example.org")
    p95b = PersonFactory(department=d95)
    p78 = PersonFactory(department=d78)
    health = Theme.objects.get(slug="sante")
    commune95 = CommuneFactory(name="Cergy", department=d95)

    a1 = ActionFactory(title="=Atelier formule", format=ActionFormat.PEER_GROUP)
    a1.themes.add(health)
    s1 = session(a1, at(Y, 3, 12, 9, 30), 3, commune=commune95, venue="Maison des projets")
    attend(s1, p95, p78)
    attend(s1, p95b, present=False)
    Headcount.objects.create(
        session=s1, department=d95, actor_type=ActorType.COLLECTIVITY_STAFF, count=10
    )
    a2 = ActionFactory(title="Journée annuelle", format=ActionFormat.MEETING)
    s2 = session(a2, at(Y, 6, 20, 9), 8, venue="", is_online=True)
    attend(s2, p95)
    s3 = session(a2, at(Y, 6, 21, 9), 3, is_cancelled=True)
    attend(s3, p78)
    attend(session(a1, at(Y - 1, 5, 2, 9), 3), p95)

    epci = EpciFactory(name="CA Cergy-Pontoise")
    commune78 = CommuneFactory(name="Mantes-la-Jolie", department=d78)
    InfoRequestFactory(
        person=p95, received_on=date(Y, 2, 3), requester_kind=RequesterKind.CITY,
        themes=[health], epci=epci, department=d95, status=RequestStatus.ANSWERED,
        question="Question confidentielle de Secret-Nom",
    )  # fmt: skip
    InfoRequestFactory(
        person=p78, received_on=date(Y, 4, 5), requester_kind=RequesterKind.ASSOCIATION,
        commune=commune78,
    )  # fmt: skip
    InfoRequestFactory(person=p95b, received_on=date(Y, 9, 1), requester_kind="student")
    InfoRequestFactory(person=p95b, received_on=date(Y - 1, 9, 1))

    PublicationFactory(title="Étude santé", published_on=date(Y, 5, 1))
    PublicationFactory(
        title="Fiche expérience", kind="experience_sheet", published_on=date(Y, 7, 1)
    )
    PublicationFactory(
        title="Brouillon", published_on=date(Y, 8, 1), status=PublicationStatus.DRAFT
    )
    PublicationFactory(title="Ancienne", published_on=date(Y - 1, 8, 1))

    MembershipFactory(year=Y, organisation=OrganisationFactory(name="=2+3 Habitants"))
    IndividualMembershipFactory(year=Y)
    return {"p95": p95}


# XLSX ---------------------------------------------------------------------------------------


def sheet_rows(workbook, title: str) -> list[tuple]:
    """The sheet's rows, without the empty cells a wider block leaves on the right."""
    rows = []
    for row in workbook[title].iter_rows(values_only=True):
        while row and row[-1] is None:
            row = row[:-1]
        rows.append(row)
    return rows


def key_figure(rows, label: str) -> tuple:
    return next(row for row in rows if row[0] == label)


def test_workbook_shows_the_annual_figures(data):
    figures = annual_figures(year=Y)
    book = openpyxl.load_workbook(io.BytesIO(figures_xlsx_build(year=Y)))

    assert book.sheetnames == [
        _("Key figures"), _("Participation"), _("Info-doc"), _("Publications"), _("Members"),
        _("Sessions"), _("Requests"), _("Publications (list)"), _("Members (list)"),
    ]  # fmt: skip
    keys = sheet_rows(book, _("Key figures"))
    assert keys[0] == (_("Figure"), str(Y), str(Y - 1), _("Change (%)"))
    p, r = figures.participation, figures.requests
    participations = key_figure(keys, _("Cumulative participations"))
    assert participations[1:3] == (p.participations, p.previous.participations) == (13, 1)
    assert participations[3] == pytest.approx(12.0)  # +1 200.0 %, stored as a fraction
    assert key_figure(keys, _("Half-days"))[1:3] == (3, 1)
    assert key_figure(keys, _("Info-doc requests"))[1:3] == (r.requests, r.previous.requests)
    assert r.requests == 3
    publications = (figures.publications.count, figures.publications.previous_count)
    assert key_figure(keys, _("Publications"))[1:3] == publications == (2, 1)
    members = (figures.members.total, figures.members.previous_total)
    assert key_figure(keys, _("Members"))[1:3] == members == (2, 0)
    assert key_figure(keys, _("Outside-area share (%)"))[1] == 0  # R1 in 95, R2 in 78
    ws = book[_("Key figures")]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.b
    change = next(r for r in ws.iter_rows(min_row=2) if r[0].value == participations[0])[3]
    assert change.data_type == "n" and change.number_format == "0.0%"

    participation = sheet_rows(book, _("Participation"))
    assert ("Val-d'Oise", 12, pytest.approx(0.923)) in participation  # 92.3 %
    assert ("Yvelines", 1, pytest.approx(0.077)) in participation
    assert ("=Atelier formule", str(ActionFormat.PEER_GROUP.label), 1, 1, 12) in participation
    kinds = sheet_rows(book, _("Publications"))
    assert (_("Total"), 2) in kinds
    members = sheet_rows(book, _("Members"))
    assert (_("Total"), 2) in members


def test_workbook_rows_sheets_have_one_row_each(data):
    book = openpyxl.load_workbook(io.BytesIO(figures_xlsx_build(year=Y)))

    sessions = sheet_rows(book, _("Sessions"))
    assert len(sessions) == 1 + 2
    first = sessions[1]
    assert first[0].date() == date(Y, 3, 12)  # a date cell (openpyxl reads it as a datetime)
    assert first[1] == "=Atelier formule" and first[5:] == (
        "Cergy", "Maison des projets", 1, 2, 10, 12,
    )  # fmt: skip
    assert sessions[2][6] == _("Online") and sessions[2][7:] == (2, 1, 0, 1)
    ws = book[_("Sessions")]
    assert ws["A2"].number_format == "DD/MM/YYYY"
    assert ws["B2"].data_type == "s" and ws["B2"].quotePrefix  # guarded, not a formula
    assert ws["H2"].data_type == "n"
    assert ws.column_dimensions["B"].width >= len("=Atelier formule")

    requests = sheet_rows(book, _("Requests"))
    assert len(requests) == 1 + 3
    assert requests[1][4] == "Val-d'Oise (95)" and requests[1][5] == "CA Cergy-Pontoise"
    assert requests[2][4] == "Yvelines (78)"
    assert isinstance(requests[1][8], int)
    text = repr(requests)
    assert "Secret-Nom" not in text and "secret@example.org" not in text

    assert len(sheet_rows(book, _("Publications (list)"))) == 1 + 2
    members = sheet_rows(book, _("Members (list)"))
    assert len(members) == 1 + 2
    assert sorted(row[2] for row in members[1:]) == [30, 150]
    euros = book[_("Members (list)")]["C2"]
    assert euros.data_type == "n" and "€" in euros.number_format
    guarded = next(
        cell for cell in book[_("Members (list)")]["B"] if cell.value == "=2+3 Habitants"
    )
    assert guarded.data_type == "s" and guarded.quotePrefix


# CSV -----------------------------------------------------------------------------------------


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_csv_tables(data):
    figures = read_csv(table_csv_build(year=Y, table="chiffres"))
    assert figures[0] == [_("Figure"), str(Y), str(Y - 1), _("Change (%)")]
    assert [_("Cumulative participations"), "13", "1", "1200,0"] in figures
    assert [_("Dues invoiced (€)"), "0,00", "", ""] in figures

    sessions = read_csv(table_csv_build(year=Y, table="sessions"))
    assert sessions[0][0] == _("Date") and len(sessions[0]) == 11
    assert sessions[1] == [
        f"12/03/{Y}", "'=Atelier formule", "", str(ActionFormat.PEER_GROUP.label), "Santé",
        "Cergy", "Maison des projets", "1", "2", "10", "12",
    ]  # fmt: skip
    assert len(sessions) == 3

    requests = read_csv(table_csv_build(year=Y, table="demandes"))
    assert len(requests) == 4
    assert requests[0] == [
        _("Reference"), _("Received on"), _("Requester kind"), _("Themes"), _("Département"),
        _("EPCI"), _("Status"), _("Answered on"), _("Response time (days)"),
    ]  # fmt: skip
    answered = timezone.localdate()
    assert requests[1][1] == f"03/02/{Y}" and requests[1][3] == "Santé"
    assert requests[1][7:] == [answered.strftime("%d/%m/%Y"), str((answered - date(Y, 2, 3)).days)]
    assert "Secret-Nom" not in str(requests)

    publications = read_csv(table_csv_build(year=Y, table="publications"))
    assert [row[2] for row in publications[1:]] == ["Étude santé", "Fiche expérience"]

    members = read_csv(table_csv_build(year=Y, table="adherents"))
    assert members[0] == [_("Category"), _("Name"), _("Dues (€)")]
    assert sorted(row[1:] for row in members[1:])[0] == ["'=2+3 Habitants", "150,00"]
    assert len(members) == 3


# Row selectors ---------------------------------------------------------------------------------


def test_session_rows_add_up_to_the_figures(data):
    rows = session_rows(year=Y)
    figures = annual_figures(year=Y).participation
    assert sum(r["participations"] for r in rows) == figures.participations
    assert sum(r["half_days"] for r in rows) == figures.half_days
    assert rows[0]["themes"] == ("Santé",) and rows[1]["themes"] == ()


def test_request_rows_carry_no_personal_data(data):
    rows = request_rows(year=Y)
    assert [r["requester_kind"] for r in rows] == ["city", "association", "student"]
    assert rows[1]["department_code"] == "78" and rows[2]["department"] == ""
    assert set(rows[0]) == {
        "reference", "received_on", "requester_kind", "requester_kind_label", "themes",
        "department_code", "department", "epci", "status", "status_label", "answered_on",
        "response_days",
    }  # fmt: skip


def _more(count: int) -> None:
    theme = Theme.objects.get(slug="jeunesse")
    for index in range(count):
        action = ActionFactory()
        action.themes.add(theme)
        one = session(action, at(Y, 10, 1 + index, 9), 3)
        attend(one, PersonFactory())
        Headcount.objects.create(session=one, count=3)
        InfoRequestFactory(received_on=date(Y, 10, 1 + index), themes=[theme])


@pytest.mark.parametrize("extra", [0, 5])
def test_row_selectors_run_a_fixed_number_of_queries(data, extra, django_assert_num_queries):
    _more(extra)
    with django_assert_num_queries(2):
        assert len(session_rows(year=Y)) == 2 + extra
    with django_assert_num_queries(2):
        assert len(request_rows(year=Y)) == 3 + extra


# Views -----------------------------------------------------------------------------------------


def test_exports_are_for_directors_only(client, member_user, staff_user, director_user):
    xlsx = reverse("reports:xlsx", args=[Y])
    csv_url = reverse("reports:csv", args=[Y, "sessions"])
    for url in (xlsx, csv_url):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]
    for user in (member_user, staff_user):
        client.force_login(user)
        assert client.get(xlsx).status_code == 403
        assert client.get(csv_url).status_code == 403


def test_director_downloads(client, director_user, data):
    client.force_login(director_user)
    response = client.get(reverse("reports:xlsx", args=[Y]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == f'attachment; filename="chiffres-{Y}.xlsx"'
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    openpyxl.load_workbook(io.BytesIO(response.content))

    for table in ("chiffres", "sessions", "demandes", "publications", "adherents"):
        response = client.get(reverse("reports:csv", args=[Y, table]))
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == f'attachment; filename="{table}-{Y}.csv"'
        assert "no-store" in response["Cache-Control"]
        assert read_csv(response.content)[0]

    assert client.head(reverse("reports:csv", args=[Y, "sessions"])).status_code == 200
    assert client.post(reverse("reports:csv", args=[Y, "sessions"])).status_code == 405


def test_unknown_table_or_year_is_not_found(client, director_user):
    client.force_login(director_user)
    assert client.get(reverse("reports:csv", args=[Y, "inconnue"])).status_code == 404
    old = timezone.localdate().year - 10
    assert client.get(reverse("reports:xlsx", args=[old])).status_code == 404
    assert client.get(reverse("reports:csv", args=[old, "sessions"])).status_code == 404
    assert client.get(reverse("reports:xlsx", args=[Y + 2])).status_code == 404
