"""A centre moves in (issue 18): two years of its spreadsheets, loaded only through the
back office's import pages, make the annual figures the spreadsheets imply.

The workbooks are written here the way a centre keeps them (XLSX, ODS, Excel's CSV in
Windows-1252, headers and values spelled loosely), from a small seeded history of two
years; the expected figures are counted from that history in plain Python, never read
back from the database.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal

import pytest

from events.selectors.figures import percent_change
from portal.core.models import ImportJob
from portal.reports.selectors import annual_figures
from tests.sheets import csv_bytes, import_through_pages, ods_bytes, xlsx_bytes

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine("2025-03-15 10:00 +01:00", tick=False),
]

YEARS = (2023, 2024)
# INSEE code, name, département (code, name), population, EPCI (SIREN, name) or None.
COMMUNES = [
    ("95127", "Cergy", "95", "Val-d'Oise", 67_000, ("249500109", "CA de Cergy-Pontoise")),
    ("95476", "Osny", "95", "Val-d'Oise", 17_000, ("249500109", "CA de Cergy-Pontoise")),
    ("95585", "Sarcelles", "95", "Val-d'Oise", 58_000, ("200058477", "CA Roissy Pays de France")),
    ("78646", "Versailles", "78", "Yvelines", 84_000, ("247800584", "CA Versailles Grand Parc")),
    ("78361", "Mantes-la-Jolie", "78", "Yvelines", 45_000, ("200059889", "CU GPS&O")),
    ("92050", "Nanterre", "92", "Hauts-de-Seine", 96_000, None),
    ("93066", "Saint-Denis", "93", "Seine-Saint-Denis", 113_000, None),
]  # fmt: skip
ACTOR_TYPES = [
    "Agent·e de collectivité",
    "Association",
    "Élu·e",
    "Habitant·e",
    "Etat ou institution",
]
ACTOR_KEYS = {
    "Agent·e de collectivité": "collectivity_staff", "Association": "association",
    "Élu·e": "elected", "Habitant·e": "resident", "Etat ou institution": "state",
}  # fmt: skip
FORMATS = ["Atelier", "Petit-déjeuner", "Groupe d'échanges entre pairs", "Séminaire", "Webinaire"]
THEMES = ["Santé", "Jeunesse", "Participation des habitant·es", "Ingénierie territoriale"]
KINDS = {"Ville": "city", "Association": "association", "Etat ou institution": "state"}


@dataclass
class History:
    """What the centre's spreadsheets say happened, and what the report must count."""

    organisations: list[dict] = field(default_factory=list)
    individuals: list[dict] = field(default_factory=list)
    memberships: list[dict] = field(default_factory=list)
    sessions: list[dict] = field(default_factory=list)
    attendance: list[dict] = field(default_factory=list)
    headcounts: list[dict] = field(default_factory=list)
    publications: list[dict] = field(default_factory=list)
    requests: list[dict] = field(default_factory=list)
    subscribers: list[dict] = field(default_factory=list)
    issues: list[dict] = field(default_factory=list)


def _people() -> list[dict]:
    """Forty participants; one in five gave no address, one in seven works at a centre."""
    return [
        {
            "first": f"Prénom{n}",
            "last": f"Nom{n}",
            "email": f"p{n}@exemple.fr" if n % 5 else "",
            "organisation": "Centre social Cergy" if n % 7 == 0 else "",
            "department": COMMUNES[n % len(COMMUNES)][2],
            "actor": ACTOR_TYPES[n % len(ACTOR_TYPES)],
        }
        for n in range(40)
    ]


def _sessions(year: int) -> list[dict]:
    """Six actions in 2023, nine in 2024, of one to three sessions; the yearly meeting
    has the same title both years."""
    sessions = []
    for number in range(6 if year == 2023 else 9):
        title = f"Action {number} de {year}" if number else "Rencontre annuelle du réseau"
        for repeat in range(1 + number % 3):
            full_day = (number + repeat) % 4 == 0
            sessions.append(
                {
                    "action": title,
                    "year": year,
                    "date": date(year, 1 + number, 10 + number) + timedelta(days=14 * repeat),
                    "format": FORMATS[number % 5],
                    "theme": THEMES[number % 4],
                    "start": time(9, 30),
                    "end": time(16, 30) if full_day else time(12, 30),
                    "half_days": 2 if full_day else 1,
                }
            )
    return sessions


def _requests(year: int, rng: random.Random) -> list[dict]:
    return [
        {
            "year": year,
            "received": date(year, 1 + number, 5),
            "kind": rng.choice(list(KINDS)),
            "commune": COMMUNES[rng.randrange(len(COMMUNES))],
            "theme": THEMES[number % 4],
            "email": f"demande{year}{number}@exemple.fr",
            "by_epci_name": bool(number % 2),
        }
        for number in range(10 if year == 2023 else 12)
    ]


def history(seed: int = 18) -> History:
    rng = random.Random(seed)  # noqa: S311 - a reproducible history, not a secret
    made = History()
    for index, (insee, name, *_rest) in enumerate(COMMUNES[:5]):
        made.organisations.append({"name": f"Ville de {name}", "kind": "Ville", "insee": insee})
        if index < 3:
            made.organisations.append({"name": f"Centre social {name}", "kind": "Association"})
    made.individuals = [
        {"first": "Inès", "last": "Moreau", "email": "ines.moreau@exemple.fr"},
        {"first": "Paul", "last": "Girard", "email": "paul.girard@exemple.fr"},
    ]
    for year in YEARS:
        for position, organisation in enumerate(made.organisations):
            if year == 2023 and position % 3 == 2:
                continue  # joined in 2024
            made.memberships.append({"year": year, "member": organisation["name"]})
        for person in made.individuals[: 1 if year == 2023 else 2]:
            made.memberships.append({"year": year, "member": person["email"], "individual": True})
        made.sessions += _sessions(year)
        made.publications += [
            {"title": f"Fiche expérience {n} — {year}", "year": year, "date": date(year, 3 + n, 1)}
            for n in range(3 if year == 2023 else 4)
        ]
        made.requests += _requests(year, rng)
        made.issues += [  # ten a year, none in July and August
            {"number": (year - 2009) * 10 + n, "year": year, "sent": date(year, month, 8)}
            for n, month in enumerate((1, 2, 3, 4, 5, 6, 9, 10, 11, 12), 1)
        ]
    people = _people()
    for index, session in enumerate(made.sessions):
        if index % 6 == 5:  # a large day: only a headcount is known
            made.headcounts.append({"session": session, "department": "95", "count": 40 + index})
            continue
        for person in rng.sample(people, 4 + index % 7):
            made.attendance.append(
                {"session": session, "person": person, "present": rng.random() > 0.1}
            )
    made.subscribers = [
        {"email": f"lecteur{n}@exemple.fr", "confirmed": date(2022, 6, 1) + timedelta(days=31 * n)}
        for n in range(30)
    ]
    return made


# The workbooks -------------------------------------------------------------------------------


def territories_files() -> tuple[bytes, bytes]:
    populations = [["DEP", "Département", "COM", "Commune", "PMUN"]] + [
        [dep, dep_name, insee, name, population]
        for insee, name, dep, dep_name, population, _epci in COMMUNES
    ]
    composition = [["CODGEO", "LIBGEO", "EPCI", "LIBEPCI", "NATURE_EPCI"]] + [
        [insee, name, epci[0], epci[1], "CA"] for insee, name, *_rest, epci in COMMUNES if epci
    ]
    notes = [["Intercommunalité - Métropole au 1er janvier 2024"], ["Source : Insee"]]
    return csv_bytes(populations, encoding="cp1252"), xlsx_bytes(composition, before=notes)


def directory_files(made: History) -> tuple[bytes, bytes]:
    organisations = [["Nom", "Type", "Code Insee de la commune"]] + [
        [o["name"], o["kind"], o.get("insee", "")] for o in made.organisations
    ]
    people = [["Prénom", "Nom", "courriel", "Type d'acteur"]] + [
        [p["first"], p["last"], p["email"], "Habitant·e"] for p in made.individuals
    ]
    return xlsx_bytes(organisations), ods_bytes(people)


def dues_files(made: History) -> tuple[bytes, bytes]:
    rules = [["Année", "Catégorie", "Mode de calcul", "Tarif par habitant (€)", "Forfait (€)"]]
    for year in YEARS:
        rules += [
            [year, "Ville", "Par habitant", "0,04", ""],
            [year, "Association", "Forfait", "", "50"],
            [year, "Individuel", "Forfait", "", "20"],
        ]
    memberships = [["Adhérent", "Courriel", "Année", "Statut"]] + [
        ["" if m.get("individual") else m["member"], m["member"] if m.get("individual") else "",
         m["year"], "Payée"]
        for m in made.memberships
    ]  # fmt: skip
    return ods_bytes(rules), csv_bytes(memberships, encoding="cp1252")


def sessions_file(made: History) -> bytes:
    rows = [["Action", "Format", "Thèmes", "Date", "Heure de début", "Heure de fin", "Commune"]]
    rows += [
        [s["action"], s["format"], s["theme"], s["date"], s["start"].strftime("%H h %M"),
         s["end"].strftime("%Hh%M"), "Cergy"]
        for s in made.sessions
    ]  # fmt: skip
    return xlsx_bytes(rows)


def attendance_file(made: History, year: int) -> bytes:
    rows = [["Action", "Date", "Nom", "Prénom", "Courriel", "Structure", "Département",
             "Type d'acteur", "Présent", "Nombre"]]  # fmt: skip
    for line in made.attendance:
        if line["session"]["year"] != year:
            continue
        session, person = line["session"], line["person"]
        department = {"95": "Val-d'Oise", "78": "78", "92": "Hauts-de-Seine"}.get(
            person["department"], person["department"]
        )
        rows.append([
            session["action"], session["date"], person["last"], person["first"], person["email"],
            person["organisation"], department, person["actor"],
            "oui" if line["present"] else "non", "",
        ])  # fmt: skip
    for count in made.headcounts:
        if count["session"]["year"] == year:
            session = count["session"]
            rows.append([session["action"], session["date"], "", "", "", "", count["department"],
                         "", "", count["count"]])  # fmt: skip
    # The first year as Excel on French Windows saves it, the second as a workbook.
    return csv_bytes(rows, encoding="cp1252") if year == YEARS[0] else xlsx_bytes(rows)


def publications_file(made: History) -> bytes:
    rows = [["Titre", "Type", "Date", "Thèmes"]]
    rows += [[p["title"], "Fiche expérience", p["date"], "Santé"] for p in made.publications]
    return ods_bytes(rows)


def requests_file(made: History) -> bytes:
    rows = [["Date de réception", "Nom", "Prénom", "Courriel", "Type de demandeur", "Commune",
             "EPCI", "Thèmes", "Question", "Statut", "Date de réponse"]]  # fmt: skip
    for request in made.requests:
        _insee, name, *_rest, epci = request["commune"]
        by_epci = request["by_epci_name"] and epci
        rows.append([
            request["received"], "Demandeur", "Anne", request["email"], request["kind"],
            "" if by_epci else name, epci[1] if by_epci else "", request["theme"],
            "Des ressources sur la participation des habitants ?", "Répondue",
            request["received"] + timedelta(days=6),
        ])  # fmt: skip
    return xlsx_bytes(rows)


def newsletter_files(made: History) -> tuple[bytes, bytes]:
    subscribers = [["Courriel", "Base du consentement", "Date de confirmation"]] + [
        [s["email"], "Liste reprise", s["confirmed"]] for s in made.subscribers
    ]
    issues = [["Numéro", "Titre", "Date d'envoi", "Destinataires"]] + [
        [i["number"], f"Résonances n° {i['number']}", i["sent"], 7500] for i in made.issues
    ]
    return csv_bytes(subscribers, encoding="cp1252"), xlsx_bytes(issues)


# Expected figures ------------------------------------------------------------------------


def expected(made: History, year: int) -> dict:
    sessions = [s for s in made.sessions if s["year"] == year]
    present = [
        line for line in made.attendance if line["session"]["year"] == year and line["present"]
    ]
    counted = [c for c in made.headcounts if c["session"]["year"] == year]
    departments = Counter(line["person"]["department"] for line in present)
    for count in counted:
        departments[count["department"]] += count["count"]
    for code in list(departments):
        if code not in ("95", "78", "92"):
            departments["other"] += departments.pop(code)
    requests = [r for r in made.requests if r["year"] == year]
    kinds = {o["name"]: KINDS[o["kind"]] for o in made.organisations}
    members = Counter(
        "individual" if m.get("individual") else kinds[m["member"]]
        for m in made.memberships
        if m["year"] == year
    )
    return {
        "actions": len({s["action"] for s in sessions}),
        "half_days": sum(s["half_days"] for s in sessions),
        "participations": len(present) + sum(c["count"] for c in counted),
        "departments": dict(departments),
        "requests": len(requests),
        "request_kinds": dict(Counter(KINDS[r["kind"]] for r in requests)),
        "request_epcis": dict(
            Counter(r["commune"][5][1] if r["commune"][5] else "unknown" for r in requests)
        ),
        "request_themes": dict(Counter(r["theme"] for r in requests)),
        "publications": sum(1 for p in made.publications if p["year"] == year),
        "issues_sent": sum(1 for i in made.issues if i["year"] == year),
        "subscribers": sum(1 for s in made.subscribers if s["confirmed"] <= date(year, 12, 31)),
        "members": dict(members),
    }


# The test --------------------------------------------------------------------------------


def test_two_years_of_spreadsheets_give_the_report_s_figures(staff_client):
    made = history()
    populations, composition = territories_files()
    organisations, individuals = directory_files(made)
    rules, memberships = dues_files(made)
    subscribers, issues = newsletter_files(made)
    imports = [
        ("core.populations", populations, "donnees_communes.csv", {"year": "2021"}),
        ("core.epci", composition, "Intercommunalite-Metropole.xlsx", {}),
        ("members.organisations", organisations, "structures.xlsx", {}),
        ("members.people", individuals, "adherents-individuels.ods", {}),
        ("members.dues_rules", rules, "tarifs.ods", {}),
        ("members.memberships", memberships, "adhesions.csv", {}),
        ("events.actions", sessions_file(made), "actions.xlsx", {}),
        ("events.attendance", attendance_file(made, 2023), "emargements-2023.csv", {}),
        ("events.attendance", attendance_file(made, 2024), "emargements-2024.xlsx", {}),
        ("publications.publications", publications_file(made), "publications.ods", {}),
        ("infodoc.requests", requests_file(made), "demandes.xlsx", {}),
        ("newsletter.subscribers", subscribers, "abonnes.csv", {}),
        ("newsletter.issues", issues, "resonances.xlsx", {}),
    ]
    for kind, data, name, options in imports:
        import_through_pages(staff_client, kind, data, name, **options)
    assert ImportJob.objects.filter(status="done").count() == len(imports)

    figures = {year: annual_figures(year=year) for year in YEARS}
    for year in YEARS:
        want, got = expected(made, year), figures[year]
        participation = got.participation
        assert participation.actions == want["actions"], year
        assert participation.half_days == want["half_days"], year
        assert participation.participations == want["participations"], year
        assert {
            share.key: share.count for share in participation.by_department if share.count
        } == want["departments"], year
        requests = got.requests
        assert requests.requests == want["requests"], year
        assert {s.key: s.count for s in requests.by_requester_kind if s.count} == want[
            "request_kinds"
        ], year
        assert {
            ("unknown" if s.key == "unknown" else s.label): s.count
            for s in requests.by_epci
            if s.count
        } == want["request_epcis"], year
        assert {s.label: s.count for s in requests.by_theme} == want["request_themes"], year
        assert got.publications.count == want["publications"], year
        assert got.newsletter.issues_sent == want["issues_sent"], year
        assert got.newsletter.subscribers == want["subscribers"], year
        assert {c.category: len(c.names) for c in got.members.by_category if c.names} == want[
            "members"
        ], year
    assert figures[2024].participation.participations_change == percent_change(
        expected(made, 2024)["participations"], expected(made, 2023)["participations"]
    )
    assert figures[2024].participation.participations_change > Decimal(0)
