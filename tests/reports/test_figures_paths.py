"""The figures are true whatever created the rows (issue 18, point 4).

One small year, 2024, is built twice, each time in a savepoint rolled back afterwards:
once through the back office's import pages (a centre moving in with its spreadsheets),
once through the pages people use (the admin's forms, the public agenda, info-doc and
newsletter forms, the check-in page of a session, the staff's workflow pages), each step
on its day. The annual report's figures, the director's dashboard and spreadsheets must
show the same for 2024 both ways, and what the year implies, counted below by hand.

The territories have no form: both paths share the ones made here. Issues of
« Résonances » are left out: only a campaign (which sends them) or the archive import
records one, so there is no second path to compare.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from infodoc.models import InfoRequest
from members.models import Person
from newsletter.models import Subscriber
from portal.core.models import Department, Theme
from portal.reports import exports
from portal.reports.selectors import annual_figures
from tests.conftest import mail_send_queued
from tests.members.factories import CommuneFactory, DepartmentFactory, EpciFactory
from tests.sheets import csv_bytes, import_through_pages, ods_bytes, xlsx_bytes

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine("2025-03-15 10:00 +01:00", tick=False),
]

YEAR = 2024
PARIS = ZoneInfo("Europe/Paris")
ACTION = "Atelier santé"
SESSION_DAYS = (date(2024, 3, 12), date(2024, 4, 2))
PUBLICATION = "Fiche expérience : la santé des habitants à Cergy"
QUESTION = "Auriez-vous des ressources sur les contrats locaux de santé en QPV ?"
ANSWER = "Voici trois documents sur les contrats locaux de santé."


class Participant(NamedTuple):
    first: str
    last: str
    email: str
    organisation: str
    department: str
    actor_type: str  # as the forms send it
    actor_label: str  # as a sign-in sheet spells it
    present: bool


# The first session. Awa, the city's contact, is in the directory before she comes (its
# type of actor unknown); she and Julie register on the agenda, the others walk in.
AWA = Participant("Awa", "Diallo", "awa.diallo@exemple.fr", "Ville de Cergy", "95",
                  "collectivity_staff", "Agent·e de collectivité", True)  # fmt: skip
MARC = Participant("Marc", "Lefèvre", "marc.lefevre@exemple.fr", "", "78", "association",
                   "Association", True)  # fmt: skip
NADIA = Participant("Nadia", "Benali", "", "", "92", "elected", "Élu·e", True)
JULIE = Participant("Julie", "Morel", "julie.morel@exemple.fr", "", "95", "resident",
                    "Habitant·e", False)  # fmt: skip
HEADCOUNT = 30  # Val-d'Oise residents counted at the second session, where Awa came again
SUBSCRIBERS = [  # (email, confirmed on): one on the public form, one added by staff
    ("lecteur.web@exemple.fr", date(2024, 6, 3)),
    ("lectrice.equipe@exemple.fr", date(2024, 9, 10)),
]

EXPECTED = {
    "actions": 1,
    "sessions": 2,
    "half_days": 3,  # 9:30 to 12:30 is one half-day, 9:30 to 16:30 two
    "participations": 34,  # three present, then Awa and thirty counted
    "named_participations": 4,
    "headcount_participations": 30,
    "unique_participants": 3,
    "by_department": {"95": 32, "78": 1, "92": 1, "other": 0},
    # Awa counts as what she said she is, though the directory had her as « other ».
    "by_actor_type": {"resident": 30, "collectivity_staff": 2, "association": 1, "elected": 1},
    "by_theme": {"sante": (1, 2, 3, 34)},  # actions, sessions, half-days, participations
    "by_format": {"workshop": (1, 2, 3, 34)},
    "requests": 1,
    "by_requester_kind": {"city": 1},
    "request_themes": {"sante": 1},
    "by_epci": {"CA de Cergy-Pontoise": 1},
    "area": (1, 0, 0),  # inside, outside, unknown
    "answered": 1,
    "median_response_days": Decimal("5.0"),  # received on 10 April, answered on the 15th
    "publications": {"experience_sheet": (PUBLICATION,)},
    "subscribers": 2,
    "members": {"city": ("Ville de Cergy",)},
}


def at(day: str, hour: str = "10:00") -> datetime:
    """A moment of the year, Paris time (« 12/03/2024 », « 09:30 »)."""
    return datetime.strptime(f"{day} {hour}", "%d/%m/%Y %H:%M").replace(tzinfo=PARIS)


@pytest.fixture
def territories(db):
    val_d_oise = DepartmentFactory(code="95", name="Val-d'Oise")
    yvelines = DepartmentFactory(code="78", name="Yvelines")
    DepartmentFactory(code="92", name="Hauts-de-Seine")
    epci = EpciFactory(siren="249500109", name="CA de Cergy-Pontoise")
    CommuneFactory(insee_code="78646", name="Versailles", department=yvelines, population=84_000)
    return CommuneFactory(
        insee_code="95127", name="Cergy", department=val_d_oise, epci=epci, population=66_000
    )


@pytest.fixture
def director_client(director_user):
    director = Client()
    director.force_login(director_user)
    return director


# What the pages show ---------------------------------------------------------------------


def _plain(value):
    """Figures as plain values, without the ids and addresses of records (which differ
    between two builds of the same year)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k not in ("action_id", "slug")}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def shown(director_client) -> dict:
    """2024 as the annual figures, the director's spreadsheets and dashboard show it."""
    figures = annual_figures(year=YEAR)
    tables = (
        exports.key_figures_table(figures), *exports.participation_tables(figures),
        *exports.infodoc_tables(figures), exports.publications_table(figures),
        exports.members_table(figures), exports.sessions_table(year=YEAR),
        exports.requests_table(year=YEAR), exports.publications_list_table(year=YEAR),
        exports.members_list_table(year=YEAR),
    )  # fmt: skip
    dashboard = director_client.get(reverse("reports:dashboard"), {"annee": YEAR})
    assert dashboard.status_code == 200
    parts = ("participation", "requests", "publications", "newsletter", "members", "dues")
    return {
        **{part: _plain(asdict(getattr(figures, part))) for part in parts},
        "team and funders": (figures.team, figures.funders),
        "spreadsheets": [(str(table.title), table.rows) for table in tables],
        "dashboard": (
            dashboard.context["key_figures"],
            [(chart.title, chart.rows) for chart in dashboard.context["charts"]],
        ),
    }


def built(director_client, build, *args) -> dict:
    """What the pages show once `build` made the year, in a savepoint rolled back after."""
    with transaction.atomic():
        build(*args)
        seen = shown(director_client)
        transaction.set_rollback(True)
    return seen


def assert_expected(seen: dict) -> None:
    p, r = seen["participation"], seen["requests"]
    for name in ("actions", "sessions", "half_days", "participations", "named_participations",
                 "headcount_participations", "unique_participants"):  # fmt: skip
        assert p[name] == EXPECTED[name], name
    assert {s["key"]: s["count"] for s in p["by_department"]} == EXPECTED["by_department"]
    actors = {s["key"]: s["count"] for s in p["by_actor_type"] if s["count"]}
    assert actors == EXPECTED["by_actor_type"]
    for name in ("by_theme", "by_format"):
        groups = {g["key"]: (g["actions"], g["sessions"], g["half_days"], g["participations"])
                  for g in p[name]}  # fmt: skip
        assert groups == EXPECTED[name], name
    assert r["requests"] == EXPECTED["requests"]
    kinds = {s["key"]: s["count"] for s in r["by_requester_kind"] if s["count"]}
    assert kinds == EXPECTED["by_requester_kind"]
    assert {s["key"]: s["count"] for s in r["by_theme"]} == EXPECTED["request_themes"]
    assert {s["label"]: s["count"] for s in r["by_epci"]} == EXPECTED["by_epci"]
    assert (r["inside_area"], r["outside_area"], r["unknown_area"]) == EXPECTED["area"]
    assert r["answered"] == EXPECTED["answered"]
    assert r["median_response_days"] == EXPECTED["median_response_days"]
    publications = seen["publications"]
    assert publications["count"] == 1
    titles = {k["kind"]: tuple(k["titles"]) for k in publications["by_kind"]}
    assert titles == EXPECTED["publications"]
    assert seen["newsletter"]["subscribers"] == EXPECTED["subscribers"]
    members = seen["members"]
    assert members["total"] == 1
    names = {c["category"]: tuple(c["names"]) for c in members["by_category"] if c["names"]}
    assert names == EXPECTED["members"]


# Path A: the import pages ------------------------------------------------------------------


def through_imports(staff_client, time_machine) -> None:
    """The centre moves in on 15 March 2025 with its spreadsheets of 2024."""
    time_machine.move_to(at("15/03/2025"), tick=False)
    sessions = [["Action", "Format", "Thèmes", "Date", "Heure de début", "Heure de fin", "Lieu",
                 "Commune"],
                [ACTION, "Atelier", "Santé", SESSION_DAYS[0], "9 h 30", "12h30",
                 "Maison de quartier", "Cergy"],
                [ACTION, "Atelier", "Santé", SESSION_DAYS[1], "09:30", "16:30",
                 "Maison de quartier", "Cergy"]]  # fmt: skip
    attendance = [["Action", "Date", "Nom", "Prénom", "Courriel", "Structure", "Département",
                   "Type d'acteur", "Présent", "Nombre"]]  # fmt: skip
    attendance += [
        [ACTION, SESSION_DAYS[0], p.last, p.first, p.email, p.organisation, p.department,
         p.actor_label, "oui" if p.present else "non", ""]
        for p in (AWA, MARC, NADIA, JULIE)
    ]  # fmt: skip
    attendance += [
        [ACTION, SESSION_DAYS[1], AWA.last, AWA.first, AWA.email, AWA.organisation,
         "Val-d'Oise", AWA.actor_label, "présente", ""],
        [ACTION, SESSION_DAYS[1], "", "", "", "", "95", "Habitant·e", "", HEADCOUNT],
    ]  # fmt: skip
    requests = [["Date de réception", "Nom", "Prénom", "Courriel", "Structure",
                 "Type de demandeur", "Commune", "Thèmes", "Sujet", "Question", "Statut",
                 "Date de réponse", "Suivi par", "Canal", "Type de réponse", "Réponse"],
                [date(2024, 4, 10), "Martin", "Sophie", "sophie.martin@exemple.fr",
                 "Ville de Cergy", "Ville", "Cergy", "Santé", "Contrats locaux de santé",
                 QUESTION, "Répondue", date(2024, 4, 15), "equipe@example.org", "Formulaire",
                 "Documents", ANSWER]]  # fmt: skip
    subscribers = [["Courriel", "Base du consentement", "Date de confirmation"]] + [
        [email, "Formulaire d'inscription", confirmed] for email, confirmed in SUBSCRIBERS
    ]
    imports = [
        ("members.organisations", xlsx_bytes([["Nom", "Type", "Code Insee de la commune"],
                                              ["Ville de Cergy", "Ville", "95127"]])),
        ("members.people", ods_bytes([["Prénom", "Nom", "Courriel", "Structure"],
                                      [AWA.first, AWA.last, AWA.email, AWA.organisation]])),
        ("members.dues_rules", ods_bytes([["Année", "Catégorie", "Mode de calcul",
                                           "Tarif par habitant (€)", "Forfait (€)"],
                                          [YEAR, "Ville", "Par habitant", "0,04", ""]])),
        ("members.memberships", csv_bytes([["Adhérent", "Année"], ["Ville de Cergy", YEAR]],
                                          encoding="cp1252")),
        ("events.actions", xlsx_bytes(sessions)),
        ("events.attendance", csv_bytes(attendance, encoding="cp1252")),
        ("publications.publications", ods_bytes([["Titre", "Type", "Date", "Thèmes"],
                                                 [PUBLICATION, "Fiche expérience",
                                                  date(2024, 5, 1), "Santé"]])),
        ("infodoc.requests", xlsx_bytes(requests)),
        ("newsletter.subscribers", csv_bytes(subscribers, encoding="cp1252")),
    ]  # fmt: skip
    for kind, data in imports:
        suffix = "csv" if data[:2] != b"PK" else "ods" if b"opendocument" in data else "xlsx"
        import_through_pages(staff_client, kind, data, f"{kind}.{suffix}")


# Path B: the pages people use ----------------------------------------------------------------


def admin_submit(client, url: str, typed: dict) -> None:
    """Send an admin form as a browser does: what the page holds (hidden fields, inline
    management forms, the options selected), with `typed` filled in."""
    page = client.get(url)
    assert page.status_code == 200, url
    forms = lxml.html.fromstring(page.content).forms
    form = next(form for form in forms if form.get("id", "").endswith("_form"))
    data: dict[str, list[str]] = {}
    for name, value in form.form_values():
        data.setdefault(name, []).append(value)
    for name, value in typed.items():
        data[name] = [str(item) for item in value] if isinstance(value, list) else [str(value)]
    response = client.post(url, data)
    context = response.context or {}
    assert response.status_code == 302, (
        context.get("adminform") and context["adminform"].form.errors,
        [
            (i.formset.errors, i.formset.non_form_errors())
            for i in context.get("inline_admin_formsets", [])
        ],
    )


def _members_through_forms(staff_client, cergy) -> None:
    """The city with its contact (her type of actor left as the form offers it), the
    dues rule, the membership."""
    admin_submit(staff_client, reverse("admin:members_organisation_add"), {
        "name": "Ville de Cergy", "kind": "commune", "commune": cergy.pk,
        "people-TOTAL_FORMS": 1, "people-0-first_name": AWA.first,
        "people-0-last_name": AWA.last, "people-0-email": AWA.email,
        "people-0-actor_type": "other",
    })  # fmt: skip
    admin_submit(staff_client, reverse("admin:members_duesrule_add"), {
        "year": YEAR, "category": "city", "mode": "per_inhabitant", "rate": "0.04",
    })  # fmt: skip
    found = staff_client.get(reverse("admin:autocomplete"), {
        "term": "Cergy", "app_label": "members", "model_name": "membership",
        "field_name": "organisation",
    })  # fmt: skip
    organisation = found.json()["results"][0]["id"]
    admin_submit(
        staff_client,
        reverse("admin:members_membership_add"),
        {"year": YEAR, "organisation": organisation},
    )


def _action_through_forms(staff_client, cergy) -> list[int]:
    """The action and its two sessions in one form; the sessions' ids, from their list."""
    typed = {
        "title": ACTION, "slug": "atelier-sante", "format": "workshop", "status": "published",
        "themes": [Theme.objects.get(slug="sante").pk], "sessions-TOTAL_FORMS": 2,
    }  # fmt: skip
    for number, (day, end) in enumerate(zip(SESSION_DAYS, ("12:30", "16:30"), strict=True)):
        fields = {"starts_at_0": f"{day:%d/%m/%Y}", "starts_at_1": "09:30",
                  "ends_at_0": f"{day:%d/%m/%Y}", "ends_at_1": end,
                  "venue": "Maison de quartier", "commune": cergy.pk, "mode": "open"}  # fmt: skip
        typed.update({f"sessions-{number}-{name}": value for name, value in fields.items()})
    admin_submit(staff_client, reverse("admin:events_action_add"), typed)
    listed = staff_client.get(reverse("admin:events_session_changelist")).content.decode()
    return sorted({int(pk) for pk in re.findall(r"/admin/events/session/(\d+)/change/", listed)})


def _register(session: int, p: Participant) -> None:
    response = Client().post(reverse("events:action", args=["atelier-sante"]), {
        "session": session, "first_name": p.first, "last_name": p.last, "email": p.email,
        "organisation_name": p.organisation, "job_title": "", "actor_type": p.actor_type,
        "department": p.department, "consent": "on", "website": "",
    })  # fmt: skip
    assert response.status_code == 302, response.context and response.context["form"].errors


def _tick(staff_client, session: int, p: Participant) -> None:
    person = Person.objects.get(email=p.email)  # the row the check-in page shows
    url = reverse("admin:events_session_checkin_toggle", args=[session, person.pk])
    assert staff_client.post(url, {"present": "1" if p.present else "0"}).status_code == 302


def _walk_in(staff_client, session: int, p: Participant) -> None:
    response = staff_client.post(reverse("admin:events_session_walk_in", args=[session]), {
        "walk_in-first_name": p.first, "walk_in-last_name": p.last, "walk_in-email": p.email,
        "walk_in-organisation": p.organisation, "walk_in-actor_type": p.actor_type,
        "walk_in-department": Department.objects.get(code=p.department).pk,
    })  # fmt: skip
    assert response.status_code == 302, response.context and response.context["walk_in_form"].errors


def _sessions_through_pages(staff_client, time_machine, sessions: list[int]) -> None:
    time_machine.move_to(at("20/02/2024"), tick=False)
    _register(sessions[0], AWA)
    _register(sessions[0], JULIE)
    time_machine.move_to(at("12/03/2024", "09:40"), tick=False)
    _tick(staff_client, sessions[0], AWA)
    _walk_in(staff_client, sessions[0], MARC)
    _walk_in(staff_client, sessions[0], NADIA)
    _tick(staff_client, sessions[0], JULIE)  # registered, did not come
    time_machine.move_to(at("02/04/2024", "09:45"), tick=False)
    _walk_in(staff_client, sessions[1], AWA)
    response = staff_client.post(reverse("admin:events_session_headcount", args=[sessions[1]]), {
        "headcount-department": Department.objects.get(code="95").pk,
        "headcount-actor_type": "resident", "headcount-count": HEADCOUNT,
    })  # fmt: skip
    assert response.status_code == 302


def _request_through_pages(staff_client, time_machine, smtp_server) -> None:
    """Sent on the public form on 10 April, taken on the 11th, answered on the 15th."""
    time_machine.move_to(at("10/04/2024", "08:15"), tick=False)
    response = Client().post(reverse("infodoc:index"), {
        "first_name": "Sophie", "last_name": "Martin", "email": "sophie.martin@exemple.fr",
        "phone": "", "organisation_name": "Ville de Cergy", "requester_kind": "city",
        "department": "", "commune": "95127", "subject": "Contrats locaux de santé",
        "question": QUESTION, "themes": [Theme.objects.get(slug="sante").pk],
        "wished_by": "", "consent": "on", "website": "",
    })  # fmt: skip
    assert response.status_code == 302, response.context and response.context["form"].errors
    request = InfoRequest.objects.get(person__email="sophie.martin@exemple.fr")
    time_machine.move_to(at("11/04/2024", "09:00"), tick=False)
    staff_client.post(reverse("admin:infodoc_inforequest_assign_to_me", args=[request.pk]))
    time_machine.move_to(at("15/04/2024", "14:00"), tick=False)
    admin_submit(
        staff_client,
        reverse("admin:infodoc_inforequest_change", args=[request.pk]),
        {"answer": ANSWER, "response_types": ["documents"]},
    )
    staff_client.post(reverse("admin:infodoc_inforequest_answer", args=[request.pk]))
    mail_send_queued()  # the mail task: the acknowledgement, then the answer
    to_sophie = [e for e in smtp_server.envelopes if e.rcpt_tos == ["sophie.martin@exemple.fr"]]
    assert len(to_sophie) == 2


def _subscribers_through_pages(staff_client, time_machine, smtp_server, capture) -> None:
    """A reader subscribes on the public page and follows the link of the email; staff add
    another, who agreed on a paper form."""
    (web, web_day), (paper, paper_day) = SUBSCRIBERS
    time_machine.move_to(at(f"{web_day:%d/%m/%Y}", "08:00"), tick=False)
    visitor = Client()
    with capture(execute=True):
        response = visitor.post(reverse("newsletter:subscribe"), {
            "email": web, "first_name": "", "last_name": "", "organisation": "",
            "actor_type": "other", "department": "", "consent": "on", "website": "",
        })  # fmt: skip
    assert response.status_code == 302
    mail = next(p for p in smtp_server.messages[-1].walk() if p.get_content_type() == "text/plain")
    link = re.search(r"https?://\S+/confirmation/[^/\s]+/", mail.get_payload(decode=True).decode())
    time_machine.move_to(at(f"{web_day:%d/%m/%Y}", "08:05"), tick=False)
    assert visitor.post(urlsplit(link.group(0)).path).status_code == 200
    time_machine.move_to(at(f"{paper_day:%d/%m/%Y}", "15:00"), tick=False)
    admin_submit(staff_client, reverse("admin:newsletter_subscriber_add"), {
        "email": paper, "consent_basis": "Formulaire papier",
        "consent_at_0": f"{paper_day:%d/%m/%Y}", "consent_at_1": "14:00",
    })  # fmt: skip
    assert Subscriber.objects.filter(status="active").count() == 2


def through_pages(staff_client, time_machine, smtp_server, capture, cergy) -> None:
    """The year as the team lives it, each page used on its day."""
    time_machine.move_to(at("15/01/2024"), tick=False)
    _members_through_forms(staff_client, cergy)
    time_machine.move_to(at("01/02/2024"), tick=False)
    sessions = _action_through_forms(staff_client, cergy)
    _sessions_through_pages(staff_client, time_machine, sessions)
    _request_through_pages(staff_client, time_machine, smtp_server)
    time_machine.move_to(at("01/05/2024", "11:00"), tick=False)
    admin_submit(staff_client, reverse("admin:publications_publication_add"), {
        "title": PUBLICATION, "slug": "fiche-sante-des-habitants-cergy",
        "kind": "experience_sheet", "themes": [Theme.objects.get(slug="sante").pk],
        "status": "published", "published_on": "01/05/2024",
    })  # fmt: skip
    _subscribers_through_pages(staff_client, time_machine, smtp_server, capture)
    time_machine.move_to(at("15/03/2025"), tick=False)


# The test -------------------------------------------------------------------------------------


def test_the_same_year_gives_the_same_figures_through_imports_and_through_pages(
    staff_client, director_client, territories, time_machine, smtp_server,
    django_capture_on_commit_callbacks, form_mail_tasks_inline,
):  # fmt: skip
    imported = built(director_client, through_imports, staff_client, time_machine)
    typed = built(
        director_client, through_pages, staff_client, time_machine, smtp_server,
        django_capture_on_commit_callbacks, territories,
    )  # fmt: skip

    assert_expected(imported)
    assert_expected(typed)
    for part, figures in imported.items():
        assert typed[part] == figures, part
