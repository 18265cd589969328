"""The agenda's raw queries find what the ORM found: its filters (events.filters, AgendaList)
and the action page's action with its sessions (action_for_page).

The references below are the ORM reads the pages had before, kept here as the oracles:
every combination of the filters' values gives the same sessions, in the same order, and
the same count; an action page the same action and sessions.
"""

from datetime import datetime, time, timedelta

import pytest
from django.db.models import Exists, F, Func, OuterRef, Prefetch, Q, TextField, Value
from django.db.models.functions import Concat
from django.db.models.lookups import IContains
from django.utils import timezone

from events.filters import AgendaFilter, month_parse
from events.models import Action, ActionFormat, ActionStatus, Session
from events.selectors.agenda import AgendaList, action_for_page, agenda_sessions
from portal.core.models import Department, Theme
from portal.core.search import (
    INCLUSIVE_DOTS,
    choices_matching,
    search_words,
    themes_matching,
)
from portal.core.text import unaccented
from tests.events.factories import ActionFactory, SessionFactory
from tests.members.factories import CommuneFactory, DepartmentFactory

pytestmark = pytest.mark.django_db


def _orm_filtered(params: dict) -> list[Session]:
    """The sessions the agenda's former ORM filters found with these (valid) values."""
    sessions = agenda_sessions()
    if theme := params.get("theme"):
        sessions = sessions.filter(action__themes=Theme.objects.get(slug=theme))
    if format_ := params.get("format"):
        sessions = sessions.filter(action__format=format_)
    if code := params.get("departement"):
        department = Department.objects.get(code=code)
        covered = Action.departments.through.objects.filter(
            action_id=OuterRef("action_id"), department_id=department
        )
        sessions = sessions.filter(Q(Exists(covered)) | Q(commune__department_id=department))
    if month := month_parse(params.get("month", "")):
        start = timezone.make_aware(datetime.combine(month, time.min))
        following = (month + timedelta(days=31)).replace(day=1)
        end = timezone.make_aware(datetime.combine(following, time.min))
        sessions = sessions.filter(starts_at__gte=start, starts_at__lt=end)
    words = search_words(params.get("q", ""))
    text = Concat(
        F("action__title"), Value(" "), F("action__summary"), Value(" "),
        F("action__description"), Value(" "), F("title"), Value(" "), F("venue"),
        Value(" "), F("address"), Value(" "), F("commune__name"),
        output_field=TextField(),
    )  # fmt: skip
    folded = unaccented(
        Func(text, Value(INCLUSIVE_DOTS), Value(""), function="translate", output_field=TextField())
    )
    themes = themes_matching(words)
    for word in words:
        match = Q(IContains(folded, word))
        if themes[word]:
            themed = Action.themes.through.objects.filter(
                theme_id__in=themes[word], action_id=OuterRef("action_id")
            )
            match |= Q(Exists(themed))
        if formats := choices_matching(ActionFormat.choices, word):
            match |= Q(action__format__in=formats)
        sessions = sessions.filter(match)
    return list(sessions)


def _local(days: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def agenda():
    """Sessions of every kind: themes, départements through the action or the commune,
    formats, months, accents and inclusive writing, and those the agenda never shows."""
    health, _ = Theme.objects.get_or_create(name="Santé", defaults={"slug": "sante-sql"})
    youth = Theme.objects.create(name="Jeunesse et parentalité", slug="jeunesse-sql")
    yvelines = DepartmentFactory(code="78", name="Yvelines")
    val_doise = DepartmentFactory(code="95", name="Val-d'Oise")
    in_78 = CommuneFactory(insee_code="78646", name="Versailles", department=yvelines)
    in_95 = CommuneFactory(insee_code="95585", name="Garges-lès-Gonesse", department=val_doise)

    workshop = ActionFactory(format=ActionFormat.WORKSHOP, title="Atelier santé des habitant·es")
    workshop.themes.add(health)
    workshop.departments.add(yvelines)
    webinar = ActionFactory(format=ActionFormat.WEBINAR, title="Réussite éducative", summary="")
    webinar.themes.add(health, youth)
    peers = ActionFactory(description="Un groupe de pairs sur la PARENTALITÉ.")
    peers.departments.add(val_doise)
    for days, action, commune in [
        (3, workshop, in_95),
        (5, webinar, None),
        (8, peers, in_78),
        (40, workshop, None),
        (45, peers, in_95),
        (70, webinar, in_78),
        (75, peers, None),
    ]:
        SessionFactory(
            action=action, commune=commune, starts_at=_local(days, 9), ends_at=_local(days, 12)
        )
    SessionFactory(action=workshop, venue="Espace Lumière", title="Élu·es locaux", commune=in_78)
    # Never on the agenda: past, cancelled, of an unpublished or a private action.
    SessionFactory(action=workshop, starts_at=_local(-3, 9), ends_at=_local(-3, 12))
    SessionFactory(action=peers, is_cancelled=True)
    SessionFactory(action=ActionFactory(status=ActionStatus.DRAFT, title="Atelier"))
    SessionFactory(action=ActionFactory(is_public=False, title="Atelier"))
    return {"health": health.slug, "youth": youth.slug}


def _given(params: dict, agenda: dict) -> dict:
    """The parameters with the slug of the fixture's theme for "health" and "youth"."""
    return {name: agenda.get(value, value) for name, value in params.items()}


def _month(days: int) -> str:
    return f"{timezone.localdate() + timedelta(days=days):%Y-%m}"


COMBINATIONS = [
    {},
    {"theme": "health"},
    {"theme": "youth", "format": "webinar"},
    {"format": "workshop"},
    {"departement": "78"},
    {"departement": "95", "theme": "health"},
    {"q": "santé"},
    {"q": "ateliers"},
    {"q": "habitants"},
    {"q": "élus"},
    {"q": "parentalite pairs"},
    {"q": "garges les gonesse"},
    {"q": "lumiere", "format": "workshop"},
    {"q": "de la"},
    {"q": "zzz%_"},
    {"q": "educative", "departement": "78"},
]


@pytest.mark.parametrize("params", COMBINATIONS)
def test_the_sql_filters_find_what_the_orm_filters_found(agenda, params):
    params = _given(params, agenda)
    filterset = AgendaFilter(params, queryset=AgendaList())
    assert not filterset.errors

    found = filterset.qs[:100]

    assert found == _orm_filtered(params)
    assert filterset.qs.count() == len(found)


@pytest.mark.parametrize("days", [0, 40, 70])
@pytest.mark.parametrize("extra", [{}, {"q": "santé"}, {"format": "webinar"}])
def test_the_month_finds_what_the_orm_found(agenda, days, extra):
    params = {"month": _month(days), **extra}
    assert AgendaFilter(params, queryset=AgendaList()).qs[:100] == _orm_filtered(params)


@pytest.mark.parametrize(
    "params",
    [
        {"theme": "no-such-theme", "format": "workshop"},
        {"departement": "ZZ", "q": "santé"},
        {"month": "2026-13", "theme": "health"},
        {"format": "concert", "departement": "95"},
    ],
)
def test_an_invalid_value_is_left_out_and_the_valid_ones_apply(agenda, params):
    params = _given(params, agenda)
    filterset = AgendaFilter(params, queryset=AgendaList())
    valid = {name: value for name, value in params.items() if name not in filterset.errors}

    assert len(valid) == 1
    assert filterset.qs[:100] == _orm_filtered(valid)


def test_a_page_reads_its_sessions_with_their_actions_and_communes(
    agenda, django_assert_num_queries
):
    with django_assert_num_queries(1):
        sessions = AgendaList()[1:4]
        described = [(s.action.title, s.commune and s.commune.name) for s in sessions]

    expected = list(agenda_sessions()[1:4])
    assert sessions == expected
    assert described == [(s.action.title, s.commune and s.commune.name) for s in expected]
    # The description, which cards don't show, is read only when asked for.
    assert "description" in sessions[0].action.get_deferred_fields()


def _orm_action_for_page(slug: str) -> Action | None:
    """The action page's former ORM read: the action, then its sessions with communes."""
    sessions = Session.objects.select_related("commune").order_by("starts_at", "pk")
    return (
        Action.objects.public()
        .filter(slug=slug)
        .prefetch_related(Prefetch("sessions", queryset=sessions, to_attr="session_list"))
        .first()
    )


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


def _described(action: Action) -> tuple:
    """The action's fields, and each session's with its commune's; its action the same."""
    sessions = [
        (_fields(session), session.commune and _fields(session.commune), session.action is action)
        for session in action.session_list
    ]
    return _fields(action), sessions


def test_an_action_page_reads_the_action_and_its_sessions_in_one_query(
    agenda, django_assert_num_queries
):
    action = Action.objects.get(title="Atelier santé des habitant·es")
    SessionFactory(action=action, is_cancelled=True)  # shown on its page, marked cancelled

    with django_assert_num_queries(1):
        found = action_for_page(slug=action.slug)
        described = _described(found)

    expected = _orm_action_for_page(action.slug)
    assert found == expected
    assert found.description == expected.description
    assert found.session_list == expected.session_list
    assert len(found.session_list) == 5
    assert described == _described(expected)


def test_an_action_page_without_sessions_and_one_not_public(agenda):
    alone = ActionFactory()
    found = action_for_page(slug=alone.slug)
    assert found.session_list == []
    assert _fields(found) == _fields(alone)
    draft = Action.objects.get(status=ActionStatus.DRAFT)
    assert action_for_page(slug=draft.slug) is None
    assert action_for_page(slug="no-such-action") is None
