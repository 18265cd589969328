"""Actions, sessions, registrations, attendances and evaluations over the years."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.utils.text import slugify

from bench.dataset import Context, bulk, bulk_m2m, words
from events.models import (
    Action,
    ActionStatus,
    Attendance,
    Evaluation,
    Mission,
    Registration,
    RegistrationMode,
    RegistrationSource,
    RegistrationStatus,
    Session,
)
from portal.core.models import Theme

ACTIONS, SESSIONS, ATTENDANCES = 600, 2000, 60_000
# format: (share of actions, sessions per action (min, max), participants (min, max), hours)
FORMATS = {
    "peer_group": (24, (6, 9), (8, 20), 3),
    "breakfast": (8, (1, 1), (15, 35), 2),
    "cycle": (8, (2, 4), (15, 30), 7),
    "workshop": (14, (1, 3), (10, 25), 3),
    "meeting": (9, (1, 2), (60, 150), 7),
    "seminar": (6, (1, 2), (40, 100), 7),
    "webinar": (10, (1, 2), (30, 90), 2),
    "training": (6, (2, 3), (10, 16), 7),
    "elected_saturday": (3, (1, 1), (15, 35), 3),
    "studies_debate": (3, (1, 2), (20, 50), 3),
    "observation": (3, (1, 2), (20, 40), 3),
    "action_training": (3, (3, 5), (8, 15), 3),
    "support": (3, (2, 5), (10, 25), 3),
}
MISSION = {
    "peer_group": Mission.NETWORK,
    "observation": Mission.NETWORK,
    "webinar": Mission.INFORM,
    "studies_debate": Mission.INFORM,
}
COMMENTS = [
    "Très riche, merci.",
    "Des échanges utiles pour ma pratique.",
    "J'aurais aimé plus de temps d'échange.",
    "Intervenants passionnants.",
    "Des outils concrets à réutiliser.",
    "",
]


def topic(context: Context) -> tuple[str, str]:
    slug = context.rng.choice(list(words.TOPICS))
    return slug, context.rng.choice(words.TOPICS[slug])


def _actions(context: Context) -> list[tuple[Action, int]]:
    rng, themes = context.rng, {t.slug: t.pk for t in Theme.objects.all()}
    communes, rows, extra = context.shared["communes"], [], []
    per_year = ACTIONS / 10
    for year in context.years:
        for _ in range(context.volume(per_year)):
            fmt = context.pick({k: v[0] for k, v in FORMATS.items()})
            theme, subject = topic(context)
            title = words.ACTION_TITLES[fmt].format(topic=subject, town=rng.choice(communes).name)
            created = context.moment(date(year, 1, 1) + timedelta(days=rng.randint(0, 300)), 9)
            status = ActionStatus.CANCELLED if rng.random() < 0.02 else ActionStatus.PUBLISHED
            if year == context.today.year and created.date() > context.today:
                created = context.moment(context.today - timedelta(days=rng.randint(1, 60)))
                status = ActionStatus.DRAFT if rng.random() < 0.2 else status
            number, complement = len(rows) + 1, rng.choice(words.COMPLEMENTS)
            rows.append(
                Action(
                    title=title[:200],
                    slug=f"{slugify(title)[:180]}-{number}",
                    format=fmt,
                    summary=f"{title[:1].upper()}{title[1:]} : temps d'échanges et d'apports pour "
                    f"les acteurs de la politique de la ville.",
                    description=f"<p>Un temps de travail sur {subject} {complement}.</p>",
                    mission=MISSION.get(fmt, Mission.QUALIFY),
                    status=status,
                    is_public=rng.random() < 0.9,
                    created_at=created,
                    updated_at=created,
                )
            )
            extra.append((year, theme))
    actions = bulk(Action, rows)
    theme_ids = list(themes.values())
    bulk_m2m(
        Action.themes,
        [(a.pk, themes[t]) for a, (_y, t) in zip(actions, extra, strict=True)]
        + [(a.pk, rng.choice(theme_ids)) for a in actions if rng.random() < 0.5],
    )
    departments = context.shared["centre_departments"]
    bulk_m2m(
        Action.departments,
        [(a.pk, d.pk) for a in actions for d in rng.sample(departments, rng.randint(1, 3))],
    )
    partners = [
        o.pk for o in context.shared["organisations"] if o.kind in ("state", "public_agency")
    ]
    bulk_m2m(
        Action.partners,
        [(a.pk, rng.choice(partners)) for a in actions if partners and rng.random() < 0.4],
    )
    return [(a, y) for a, (y, _t) in zip(actions, extra, strict=True)]


def _sessions(context: Context, actions: list[tuple[Action, int]]) -> list[Session]:
    rng, communes, rows = context.rng, context.shared["communes"], []
    for action, year in actions:
        fmt = FORMATS[action.format]
        count = rng.randint(*fmt[1])
        first = max(action.created_at.date() + timedelta(days=20), date(year, 1, 15))
        gap = max(7, (date(year, 12, 15) - first).days // (count + 1))
        day = first + timedelta(days=rng.randint(0, gap))
        for index in range(count):
            weekday = 5 if action.format == "elected_saturday" else rng.randint(0, 4)
            day += timedelta(days=(weekday - day.weekday()) % 7)
            hour = 18 if action.format == "peer_group" and rng.random() < 0.2 else 9
            hour = 14 if fmt[3] <= 3 and hour == 9 and rng.random() < 0.4 else hour
            starts = context.moment(day, hour, 30 if hour == 9 else 0)
            commune = rng.choice(communes)
            online = action.format == "webinar"
            rows.append(
                Session(
                    action=action,
                    title=f"Séance {index + 1}" if count > 1 else "",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=fmt[3]),
                    venue="" if online else f"{rng.choice(words.VENUES)} — {commune.name}",
                    address="" if online else f"{rng.randint(1, 90)} {context.fake.street_name()}",
                    commune=None if online else commune,
                    is_online=online,
                    online_url="https://visio.pole-ressources.test/salle" if online else "",
                    capacity=None if fmt[2][1] > 60 else fmt[2][1] + 5,
                    mode=RegistrationMode.ON_REQUEST
                    if action.format == "support"
                    else RegistrationMode.OPEN,
                    is_cancelled=action.status == ActionStatus.CANCELLED or rng.random() < 0.02,
                )
            )
            day += timedelta(days=rng.randint(gap // 2 + 1, gap + 1))
    return bulk(Session, rows)


def _participation(context: Context, sessions: list[Session]) -> None:
    rng, today = context.rng, context.today
    people = [p.pk for p in context.shared["people"]]
    held = [s for s in sessions if not s.is_cancelled]
    wanted = [rng.randint(*FORMATS[s.action.format][2]) for s in held]
    past_total = sum(n for s, n in zip(held, wanted, strict=True) if s.starts_at.date() < today)
    # 8 % walk in; 5 % of the others cancel their registration and have no attendance.
    factor = context.volume(ATTENDANCES) / max(1, past_total * (0.08 + 0.92 * 0.95))
    registrations, attendances, evaluations = [], [], []
    counts = dict.fromkeys(("registrations", "attendances", "evaluations"), 0)

    def flush(final: bool = False) -> None:
        for model, rows, name in (
            (Registration, registrations, "registrations"),
            (Attendance, attendances, "attendances"),
            (Evaluation, evaluations, "evaluations"),
        ):
            if rows and (final or len(rows) >= 10_000):
                bulk(model, rows)
                counts[name] += len(rows)
                rows.clear()

    for session, n in zip(held, wanted, strict=True):
        n = max(1, min(len(people), round(n * factor)))
        past = session.starts_at.date() < today
        cycle = uuid.UUID(int=rng.getrandbits(128)) if session.action.format == "cycle" else None
        for person in rng.sample(people, n):
            registered = context.moment(
                session.starts_at.date() - timedelta(days=rng.randint(1, 40))
            )
            walk_in = past and rng.random() < 0.08
            if not walk_in:
                cancelled = rng.random() < 0.05
                registrations.append(
                    Registration(
                        session=session,
                        person_id=person,
                        created_at=registered,
                        status=RegistrationStatus.CANCELLED
                        if cancelled
                        else RegistrationStatus.CONFIRMED,
                        source=RegistrationSource.STAFF
                        if rng.random() < 0.15
                        else RegistrationSource.WEB,
                        cycle_key=cycle,
                        cancelled_at=registered + timedelta(days=2) if cancelled else None,
                    )
                )
                if cancelled or not past:
                    continue
            present = walk_in or rng.random() < 0.9
            attendances.append(
                Attendance(
                    session=session,
                    person_id=person,
                    present=present,
                    is_walk_in=walk_in,
                    checked_at=session.starts_at + timedelta(minutes=rng.randint(0, 30))
                    if present
                    else None,
                    evaluation_sent_at=session.ends_at + timedelta(days=1) if present else None,
                )
            )
            if present and rng.random() < 0.2:
                evaluations.append(
                    Evaluation(
                        session=session,
                        person_id=person,
                        satisfaction=rng.choice([3, 4, 4, 5, 5]),
                        usefulness=rng.choice([2, 3, 4, 4, 5, 5]),
                        comments=rng.choice(COMMENTS),
                        submitted_at=session.ends_at + timedelta(days=rng.randint(1, 10)),
                    )
                )
        flush()
    flush(final=True)
    context.counts.update(counts)


def generate(context: Context) -> None:
    actions = _actions(context)
    sessions = _sessions(context, actions)
    _participation(context, sessions)
    context.shared["sessions"] = sessions
    context.shared["actions"] = [a for a, _y in actions]
    context.counts.update(actions=len(actions), sessions=len(sessions))
