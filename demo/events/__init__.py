"""Demo events: last year shaped like the 2023 activity report, this year's agenda alive.

Last year: about 56 actions (the report's own where it names them), about 190 half-days
and 4,700 cumulative participations, about 46 % from the Val-d'Oise, 25 % Yvelines,
21 % Hauts-de-Seine and 8 % elsewhere, half of them local authority staff. Large days
are known only by a headcount. This year: a few past sessions and upcoming public
sessions open for registration (some almost full, one on request, one online).

Idempotent: an action is recognised by its slug (which carries its year) and is created
with all its sessions, or not at all; participants by their email. Deterministic: one
seeded random generator. Attendances and registrations are bulk-created.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from demo.events.data import (
    ARS,
    ASSO,
    CAF78,
    CAF95,
    ELECTED,
    FIXED_SLOTS,
    FOCUS,
    JOBS,
    LAST_YEAR,
    MEMBER_LAST_YEAR,
    MEMBER_REGISTERED,
    MEMBER_THIS_YEAR,
    OTHER,
    OTHER_DEPARTMENTS,
    PARTICIPANT_DOMAIN,
    PARTICIPANTS,
    PARTNERS,
    POOL,
    PREF78,
    PREF92,
    PREF95,
    PROFILE,
    RESIDENT,
    SEED,
    SLOTS,
    STAFF,
    STATE,
    SUMMARIES,
    THEMES,
    THIS_YEAR,
    VENUES,
    Spec,
)
from demo.names import french_faker
from events.models import (
    Action,
    ActionFormat,
    ActionStatus,
    Attendance,
    Headcount,
    Registration,
    RegistrationMode,
    RegistrationSource,
    RegistrationStatus,
    Session,
)
from members.models import Organisation, OrganisationKind, Person
from portal.core.models import Commune, Department, Theme


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _allocate(total: int, weights: dict) -> dict:
    """Split `total` by weights, the rounding going to the largest remainders."""
    exact = {key: total * weight / sum(weights.values()) for key, weight in weights.items()}
    parts = {key: int(value) for key, value in exact.items()}
    for key in sorted(exact, key=lambda k: parts[k] - exact[k])[: total - sum(parts.values())]:
        parts[key] += 1
    return parts


class _Builder:
    """Creates the missing actions with sessions, attendances, headcounts and registrations."""

    def __init__(self) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
        self.themes = {theme.slug: theme for theme in Theme.objects.all()}
        self.departments = self._departments()
        self.communes = self._communes()
        self.partners = self._partners()
        self.pool, self.people = self._participants()
        self.member = Person.objects.filter(email="membre@demo.test").first()
        self.existing = set(Action.objects.values_list("slug", flat=True))
        self.attendances: list[Attendance] = []
        self.registrations: list[Registration] = []
        self.headcounts: list[Headcount] = []

    # Reference data --------------------------------------------------------------------

    def _departments(self) -> dict[str, Department]:
        names = {"95": "Val-d'Oise", "78": "Yvelines", "92": "Hauts-de-Seine"}
        departments = {}
        for code, name in [*names.items(), *OTHER_DEPARTMENTS]:
            departments[code], _ = Department.objects.get_or_create(
                code=code, defaults={"name": name}
            )
        return departments

    def _communes(self) -> dict[str, list[Commune]]:
        by_department: dict[str, list[Commune]] = {}
        for commune in Commune.objects.select_related("department").order_by("insee_code"):
            by_department.setdefault(commune.department.code, []).append(commune)
        return by_department

    def _partners(self) -> dict[str, Organisation]:
        found = {o.name: o for o in Organisation.objects.filter(name__in=self._partner_names())}
        for name, kind in PARTNERS.items():
            if name not in found:
                found[name] = Organisation.objects.create(name=name, kind=kind)
        return found

    @staticmethod
    def _partner_names() -> set[str]:
        specs = LAST_YEAR + [upcoming.spec for upcoming in THIS_YEAR]
        return {name for spec in specs for name in spec.partners} | set(PARTNERS)

    def _participants(self):
        """A few hundred people, reused across sessions, indexed by (département, kind)."""
        rng = random.Random(SEED + 1)  # noqa: S311 - demo data, not secrets
        fake = french_faker(SEED + 1)
        cities: dict[str, list[Organisation]] = {}
        for city in Organisation.objects.filter(kind=OrganisationKind.COMMUNE).select_related(
            "department"
        ):
            cities.setdefault(city.department.code if city.department_id else OTHER, []).append(
                city
            )
        associations = list(Organisation.objects.filter(kind=OrganisationKind.ASSOCIATION))
        state = [self.partners[name] for name in (PREF95, PREF78, PREF92, CAF95, CAF78, ARS)]
        others = [code for code, _name in OTHER_DEPARTMENTS]
        wanted = []
        for index in range(PARTICIPANTS):
            first, last = fake.first_name(), fake.last_name()
            bucket = _pick(rng, POOL["departments"])
            actor_type = _pick(rng, POOL["actor_types"])
            code = rng.choice(others) if bucket == OTHER else bucket
            organisation = None
            if actor_type in (STAFF, ELECTED) and cities.get(code):
                organisation = rng.choice(cities[code])
            elif actor_type == ASSO and associations and code == "95":
                organisation = rng.choice(associations)
            elif actor_type == STATE:
                organisation = rng.choice(state)
            no_department = bucket == OTHER and actor_type == RESIDENT
            email = f"{slugify(first)}.{slugify(last)}.{index:03d}@{PARTICIPANT_DOMAIN}"
            wanted.append(
                Person(first_name=first, last_name=last, email=email, actor_type=actor_type,
                       job_title=rng.choice(JOBS[actor_type]), organisation=organisation,
                       department=None if no_department else self.departments[code])
            )  # fmt: skip
        # A participant is known by the index at the end of their address: the names drawn
        # depend on what other demos created, so they may differ from one run to the next.
        existing = {
            email.split("@")[0].rsplit(".", 1)[-1]
            for email in Person.objects.filter(
                email__endswith=f"@{PARTICIPANT_DOMAIN}"
            ).values_list("email", flat=True)
        }
        Person.objects.bulk_create(
            [p for p in wanted if p.email.split("@")[0].rsplit(".", 1)[-1] not in existing]
        )
        people = list(
            Person.objects.filter(email__endswith=f"@{PARTICIPANT_DOMAIN}")
            .select_related("department")
            .order_by("email")
        )
        pool: dict[tuple[str, str], list[Person]] = {}
        for person in people:
            code = person.department.code if person.department_id else OTHER
            bucket = code if code in ("95", "78", "92") else OTHER
            pool.setdefault((bucket, person.actor_type), []).append(person)
        return pool, people

    # Actions and sessions ---------------------------------------------------------------------

    def action(self, spec: Spec, year: int) -> Action | None:
        slug = f"{slugify(spec.title)[:180]}-{year}"
        if slug in self.existing:
            return None
        self.existing.add(slug)
        action = Action.objects.create(
            title=spec.title,
            slug=slug,
            summary=SUMMARIES[spec.format],
            description=(
                "Action du Pôle ressources ouverte aux professionnel·les, élu·es, associations "
                "et habitant·es des quartiers de l'ouest francilien."
            ),
            format=spec.format,
            is_public=spec.public,
            status=ActionStatus.PUBLISHED,
        )
        action.themes.set([self.themes[THEMES[t]] for t in spec.themes if THEMES[t] in self.themes])
        action.partners.set([self.partners[n] for n in spec.partners if n in self.partners])
        codes = ["95", "78", "92"] if spec.focus in ("all", "region") else [spec.focus]
        action.departments.set([self.departments[code] for code in codes])
        return action

    def _commune(self, spec: Spec) -> Commune | None:
        if spec.town:
            for communes in self.communes.values():
                for commune in communes:
                    if commune.name == spec.town:
                        return commune
            return None
        codes = [spec.focus] if spec.focus in self.communes else list(self.communes)
        candidates = [c for code in codes for c in self.communes.get(code, [])]
        return self.rng.choice(candidates) if candidates else None

    def session(self, action, spec: Spec, day: date, half_days: str, **extra) -> Session:
        start_time, hours = self.rng.choice(SLOTS[half_days])
        start_time, hours = FIXED_SLOTS.get(spec.format, (start_time, hours))
        starts_at = timezone.make_aware(datetime.combine(day, start_time))
        commune = self._commune(spec)
        online = spec.format == ActionFormat.WEBINAR
        return Session(
            action=action,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            venue="" if online else self.rng.choice(VENUES),
            address="" if online else (commune.name if commune else spec.town),
            commune=None if online else commune,
            is_online=online,
            **extra,
        )

    def _weekday(self, day: date, spec: Spec) -> date:
        wanted = {5} if spec.format == ActionFormat.ELECTED_SATURDAY else {0, 1, 2, 3, 4}
        while day.weekday() not in wanted:
            day += timedelta(days=1)
        return day

    def last_year_dates(self, spec: Spec, year: int) -> list[date]:
        months = [1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12]
        first = self.rng.randrange(len(months))
        step = max(1, len(months) // len(spec.plan))
        dates = []
        for index in range(len(spec.plan)):
            month = months[(first + index * step) % len(months)]
            dates.append(self._weekday(date(year, month, self.rng.randint(2, 24)), spec))
        dates.sort()
        for index in range(1, len(dates)):
            if dates[index] <= dates[index - 1]:
                dates[index] = self._weekday(dates[index - 1] + timedelta(days=1), spec)
        return dates

    # People at a session ----------------------------------------------------------------------

    def attendees(self, spec: Spec, size: int, extra: tuple[Person, ...] = ()) -> list[Person]:
        chosen = list(extra)
        taken = {person.pk for person in chosen}
        for _index in range(size):
            bucket = _pick(self.rng, FOCUS[spec.focus])
            actor_type = _pick(self.rng, PROFILE[spec.profile])
            for candidates in (
                self.pool.get((bucket, actor_type), []),
                [p for (b, _t), people in self.pool.items() if b == bucket for p in people],
                self.people,
            ):
                free = [p for p in candidates if p.pk not in taken]
                if free:
                    person = self.rng.choice(free)
                    chosen.append(person)
                    taken.add(person.pk)
                    break
        return chosen

    def held(self, session: Session, spec: Spec, size: int, extra=()) -> None:
        """Attendances (some absent, some walk-ins) and the registrations that preceded them."""
        people = self.attendees(spec, size, extra)
        absent = self.attendees(spec, round(size * 0.08), ()) if size else []
        absent = [p for p in absent if p not in people]
        for person in people + absent:
            present = person not in absent
            walk_in = present and person not in extra and self.rng.random() < 0.2
            self.attendances.append(
                Attendance(session=session, person=person, present=present, is_walk_in=walk_in,
                           checked_at=session.starts_at if present else None)
            )  # fmt: skip
            if not walk_in and spec.public:
                self.registrations.append(
                    Registration(session=session, person=person, source=RegistrationSource.WEB,
                                 status=RegistrationStatus.CONFIRMED)
                )  # fmt: skip

    def counted(self, session: Session, spec: Spec, total: int) -> None:
        departments = _allocate(total, FOCUS[spec.focus])
        for bucket, in_department in departments.items():
            for actor_type, count in _allocate(in_department, PROFILE[spec.profile]).items():
                if count:
                    department = None if bucket == OTHER else self.departments[bucket]
                    self.headcounts.append(
                        Headcount(session=session, department=department, actor_type=actor_type,
                                  count=count)
                    )  # fmt: skip

    def save(self) -> None:
        Attendance.objects.bulk_create(self.attendances, batch_size=2000)
        Registration.objects.bulk_create(self.registrations, batch_size=2000)
        Headcount.objects.bulk_create(self.headcounts)


def _last_year(builder: _Builder, year: int) -> None:
    rng = builder.rng
    for spec in LAST_YEAR:
        action = builder.action(spec, year)
        if action is None:
            continue
        days = builder.last_year_dates(spec, year)
        sessions = Session.objects.bulk_create(
            [
                builder.session(action, spec, day, hd)
                for day, hd in zip(days, spec.plan, strict=True)
            ]
        )
        for number, session in enumerate(sessions):
            if spec.headcount and number == len(sessions) - 1:
                builder.counted(session, spec, spec.headcount)
                continue
            size = max(3, round(spec.size * rng.uniform(0.9, 1.25)))
            member = builder.member if number in MEMBER_LAST_YEAR.get(spec.title, ()) else None
            builder.held(session, spec, size, extra=(member,) if member else ())


def _this_year(builder: _Builder, today: date) -> None:
    rng = builder.rng
    for index, upcoming in enumerate(THIS_YEAR):
        spec = upcoming.spec
        action = builder.action(spec, today.year)
        if action is None:
            continue
        sessions = []
        previous = None
        for number, days in enumerate(upcoming.days):
            day = builder._weekday(today + timedelta(days=days), spec)
            if previous and day <= previous:
                day = builder._weekday(previous + timedelta(days=1), spec)
            previous = day
            if days < 0 and (day.year != today.year or day >= today):
                continue  # too early in the year for this past session
            session = builder.session(
                action, spec, day, spec.plan[number], capacity=upcoming.capacity,
                mode=upcoming.mode,
            )  # fmt: skip
            if upcoming.online:
                session.online_url = f"https://visio.demo.test/{action.slug}"
            sessions.append(session)
        Session.objects.bulk_create(sessions)
        cycle_keys = [uuid.uuid4() if upcoming.cycle else None for _seat in range(upcoming.seats)]
        people = builder.attendees(spec, upcoming.seats)
        for number, session in enumerate(sessions):
            if session.ends_at < timezone.now():
                member = builder.member if number in MEMBER_THIS_YEAR.get(index, ()) else None
                size = max(3, round(spec.size * rng.uniform(0.9, 1.25)))
                builder.held(session, spec, size, extra=(member,) if member else ())
                continue
            seats = list(zip(people, cycle_keys, strict=True))
            if index == MEMBER_REGISTERED and builder.member:
                seats = [(builder.member, None), *seats[:-1]]
            for rank, (person, cycle_key) in enumerate(seats):
                if upcoming.mode == RegistrationMode.ON_REQUEST:
                    status = RegistrationStatus.REQUESTED
                elif upcoming.capacity is not None and rank >= upcoming.capacity:
                    status = RegistrationStatus.WAITLISTED
                else:
                    status = RegistrationStatus.CONFIRMED
                builder.registrations.append(
                    Registration(session=session, person=person, status=status,
                                 cycle_key=cycle_key)
                )  # fmt: skip


@transaction.atomic
def load_demo() -> None:
    today = timezone.localdate()
    builder = _Builder()
    _last_year(builder, today.year - 1)
    _this_year(builder, today)
    builder.save()
