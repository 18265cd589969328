"""The public agenda: listing, filters, search, pagination, past actions, query counts."""

from datetime import datetime, time, timedelta

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from events.models import ActionFormat, ActionStatus, RegistrationMode, Session
from portal.core.models import SiteSettings, Theme
from tests.events.factories import ActionFactory, RegistrationFactory, SessionFactory
from tests.events.live import session_states
from tests.members.factories import CommuneFactory, DepartmentFactory

pytestmark = pytest.mark.django_db

URL = reverse("events:agenda")
# Queries of one agenda page, whatever the number of sessions in the database: count (none
# when the first page is not full), page with its actions' theme ids; the themes and the
# départements are kept in the process (portal.core.reference), the sessions' seats until
# a registration (pagecache.live_rows()). The action page: the action with its
# sessions; while its parts are not kept yet (fragments cache), also its themes, partners,
# départements and the publications that came out of the action.
AGENDA_QUERIES = 2
ACTION_PAGE_QUERIES = 1
ACTION_PAGE_QUERIES_MADE = 5


def _listed(response) -> list[Session]:
    assert response.status_code == 200
    return list(response.context["sessions"])


def _local(days: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def theme():
    return Theme.objects.create(name="Jeunesse et parentalité", slug="jeunesse-test")


def test_lists_the_upcoming_sessions_of_public_published_actions_soonest_first(client):
    later = SessionFactory(starts_at=_local(20, 9), ends_at=_local(20, 12))
    sooner = SessionFactory(starts_at=_local(3, 14), ends_at=_local(3, 17))
    SessionFactory(action=ActionFactory(status=ActionStatus.DRAFT))
    SessionFactory(action=ActionFactory(is_public=False))
    SessionFactory(is_cancelled=True)
    SessionFactory(starts_at=_local(-3, 9), ends_at=_local(-3, 12))

    assert _listed(client.get(URL)) == [sooner, later]


def test_the_home_page_keeps_its_next_sessions_until_the_first_of_them_ends(
    client, time_machine, django_assert_num_queries
):
    time_machine.move_to(timezone.now(), tick=False)
    now = timezone.now()
    ending = SessionFactory(action__title="Atelier en cours", starts_at=now - timedelta(hours=1),
                            ends_at=now + timedelta(minutes=2))  # fmt: skip
    SessionFactory(action__title="Séminaire", starts_at=now + timedelta(days=3),
                   ends_at=now + timedelta(days=3, hours=3))  # fmt: skip
    SiteSettings.load()
    home = reverse("core:home")
    assert "Atelier en cours" in client.get(home).content.decode()

    with django_assert_num_queries(0):  # nothing changed: the next sessions are kept
        assert "Atelier en cours" in client.get(home).content.decode()

    time_machine.shift(timedelta(minutes=3))  # the first one has ended
    page = client.get(home).content.decode()
    assert ending.action.title not in page and "Séminaire" in page


def test_each_session_says_when_in_french_where_and_its_registration_state(client):
    session = SessionFactory(
        starts_at=_local(12, 9, 30),
        ends_at=_local(12, 12, 30),
        venue="Maison des associations",
        commune=CommuneFactory(name="Argenteuil"),
        capacity=2,
    )
    RegistrationFactory.create_batch(2, session=session)
    online = SessionFactory(is_online=True, venue="", address="", online_url="https://visio.test/x")

    response = client.get(URL)

    content = response.content.decode()
    assert "9\u00a0h\u00a030 \u2013 12\u00a0h\u00a030" in content
    assert timezone.localdate(session.starts_at).strftime("%Y") in content
    assert "Maison des associations, Argenteuil" in content
    assert session.action.get_absolute_url() in content
    assert session_states(response) == {
        session.pk: "Complet \u2013 liste d'attente",
        online.pk: "30 places restantes",
    }
    assert "https://visio.test/x" not in content  # the link is for confirmed people only


def test_the_date_is_written_with_french_day_and_month_names(client):
    session = SessionFactory(starts_at=_local(9, 14), ends_at=_local(9, 17))
    [listed] = _listed(client.get(URL))
    french_months = [
        "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
        "septembre", "octobre", "novembre", "décembre",
    ]  # fmt: skip
    local = timezone.localtime(session.starts_at)
    assert french_months[local.month - 1] in listed.when
    assert listed.when.endswith("14\u00a0h \u2013 17\u00a0h")


def test_seats_left_registration_on_request_and_not_yet_open(client):
    seats = SessionFactory(capacity=10)
    RegistrationFactory.create_batch(3, session=seats)
    RegistrationFactory(session=seats, status="waitlisted")
    on_request = SessionFactory(mode=RegistrationMode.ON_REQUEST)
    later = SessionFactory(registration_opens_at=timezone.now() + timedelta(days=2))
    unlimited = SessionFactory(capacity=None)

    states = session_states(client.get(URL))

    assert states[seats.pk] == "7 places restantes"
    assert states[on_request.pk] == "Inscription sur demande"
    assert states[later.pk].startswith("Ouverture des inscriptions le ")
    assert states[unlimited.pk] == "Inscriptions ouvertes"


def test_a_sessions_card_shows_its_actions_themes_in_french_order(client):
    session = SessionFactory()
    session.action.themes.add(
        Theme.objects.create(name="Zèbre (essai)", slug="zebre-test"),
        Theme.objects.create(name="Ébène (essai)", slug="ebene-test"),
    )

    for url in (URL, reverse("core:home")):
        content = client.get(url).content.decode()
        tags = '<span class="tag">Ébène (essai)</span> <span class="tag">Zèbre (essai)</span>'
        assert tags in content

    # A theme added is a change of the content: shown at once.
    session.action.themes.add(Theme.objects.create(name="Aube (essai)", slug="aube-test"))
    assert '<span class="tag">Aube (essai)</span> <span class="tag">Ébène' in (
        client.get(URL).content.decode()
    )


# Filters ---------------------------------------------------------------------------------


def test_filter_by_theme(client, theme):
    tagged = SessionFactory()
    tagged.action.themes.add(theme)
    SessionFactory()
    assert _listed(client.get(URL, {"theme": theme.slug})) == [tagged]


def test_filter_by_format(client):
    webinar = SessionFactory(action=ActionFactory(format=ActionFormat.WEBINAR))
    SessionFactory(action=ActionFactory(format=ActionFormat.BREAKFAST))
    assert _listed(client.get(URL, {"format": "webinar"})) == [webinar]


def test_filter_by_departement_through_the_action_or_the_commune(client):
    yvelines = DepartmentFactory(code="78", name="Yvelines")
    val_doise = DepartmentFactory(code="95", name="Val-d'Oise")
    covered = SessionFactory()
    covered.action.departments.add(yvelines, val_doise)
    held_there = SessionFactory(commune=CommuneFactory(insee_code="78646", department=yvelines))
    SessionFactory(commune=CommuneFactory(insee_code="95018", department=val_doise))

    assert _listed(client.get(URL, {"departement": "78"})) == [covered, held_there]
    assert len(_listed(client.get(URL, {"departement": "95"}))) == 2  # no duplicate row


def test_filter_by_month_in_local_time(client):
    month_start = (timezone.localdate().replace(day=1) + timedelta(days=62)).replace(day=1)
    first_minute = timezone.make_aware(datetime.combine(month_start, time.min))
    inside = SessionFactory(
        starts_at=first_minute + timedelta(hours=9), ends_at=first_minute + timedelta(hours=12)
    )
    before = SessionFactory(  # 23:30 the evening before, Paris time
        starts_at=first_minute - timedelta(minutes=30), ends_at=first_minute + timedelta(hours=1)
    )

    response = client.get(URL, {"month": f"{month_start:%Y-%m}"})

    assert _listed(response) == [inside]
    assert before not in _listed(response)
    assert f"{month_start:%Y-%m}" in dict(response.context["form"].fields["month"].choices)


def test_a_month_typed_in_the_address_is_offered_with_the_coming_ones(client):
    far = f"{timezone.localdate().year + 3}-05"
    shown = list(client.get(URL, {"month": far}).context["form"].fields["month"].choices)
    plain = list(client.get(URL).context["form"].fields["month"].choices)

    assert far in dict(shown)
    assert far not in dict(plain)
    assert len(shown) == len(plain) + 1 == 14  # « any month » and the coming twelve


def test_search_in_title_summary_and_description_ignoring_accents_and_case(client):
    by_title = SessionFactory(action=ActionFactory(title="Cité éducative : bilan"))
    by_summary = SessionFactory(action=ActionFactory(summary="Réussite éducative et santé"))
    by_description = SessionFactory(action=ActionFactory(description="Un atelier EDUCATIF."))
    SessionFactory(action=ActionFactory(title="Emploi", summary="Insertion"))

    found = _listed(client.get(URL, {"q": "educati"}))

    assert set(found) == {by_title, by_summary, by_description}
    assert _listed(client.get(URL, {"q": "éducative santé"})) == [by_summary]
    # SQL wildcards match themselves (no factory title has « zzz »: a number could be one).
    assert _listed(client.get(URL, {"q": "zzz%_"})) == []


def test_search_matches_the_theme_the_format_and_the_venue(client):
    health, _ = Theme.objects.get_or_create(name="Santé", defaults={"slug": "sante-test"})
    themed = SessionFactory(action=ActionFactory(title="Groupe de pairs"))
    themed.action.themes.add(health)
    workshop = SessionFactory(
        action=ActionFactory(format=ActionFormat.WORKSHOP, title="Rendez-vous")
    )
    commune = CommuneFactory(name="Garges-lès-Gonesse")
    in_garges = SessionFactory(action=ActionFactory(title="Matinée"), venue="", commune=commune)
    by_venue = SessionFactory(action=ActionFactory(title="Réunion"), venue="Espace Lumière")
    SessionFactory(action=ActionFactory(title="Emploi", summary="Insertion"))

    assert _listed(client.get(URL, {"q": "santé"})) == [themed]
    assert _listed(client.get(URL, {"q": "SANTE"})) == [themed]
    assert _listed(client.get(URL, {"q": "ateliers"})) == [workshop]
    assert _listed(client.get(URL, {"q": "garges les gonesse"})) == [in_garges]
    assert _listed(client.get(URL, {"q": "lumiere"})) == [by_venue]
    # Every word must be found somewhere: the theme for one, the title for the other.
    assert _listed(client.get(URL, {"q": "santé pairs"})) == [themed]
    assert _listed(client.get(URL, {"q": "santé emploi"})) == []


@pytest.mark.parametrize(
    ("written", "typed"),
    [
        ("Les habitant·es acteurs", "habitants"),
        ("Les habitants acteurs", "habitant·es"),
        ("Les habitant·es acteurs", "habitant·es"),
        ("Les habitants acteurs", "habitant.e.s"),
        ("Pour les élu·e·s locaux", "élus"),
        ("Pour les agent·es", "agentes"),
    ],
)
def test_search_finds_inclusive_writing_both_ways(client, written, typed):
    found = SessionFactory(action=ActionFactory(title=written))
    SessionFactory(action=ActionFactory(title="Emploi", summary="Insertion"))

    assert _listed(client.get(URL, {"q": typed})) == [found]


def test_filters_combine(client, theme):
    match = SessionFactory(
        action=ActionFactory(format=ActionFormat.WORKSHOP, title="Atelier santé")
    )
    match.action.themes.add(theme)
    other_format = SessionFactory(action=ActionFactory(format=ActionFormat.SEMINAR, title="Santé"))
    other_format.action.themes.add(theme)
    SessionFactory(action=ActionFactory(format=ActionFormat.WORKSHOP, title="Atelier santé 2"))

    response = client.get(URL, {"theme": theme.slug, "format": "workshop", "q": "santé"})

    assert _listed(response) == [match]
    assert response.context["is_filtered"]


@pytest.mark.parametrize(
    "params",
    [
        {"theme": "no-such-theme"},
        {"format": "concert"},
        {"departement": "ZZ"},
        {"month": "2026-13"},
        {"month": "next month"},
        {"q": "a\x00b"},
        {"theme": "a\x00b"},
        {"departement": "9\x005"},
        {"q": "x" * 5000},
        {"page": "abc"},
        {"page": "-1"},
        {"page": "99999"},
        {"theme": ["a", "b"], "format": "", "month": ""},
    ],
)
def test_invalid_filter_values_are_reported_and_ignored_never_a_500(client, params):
    session = SessionFactory()
    response = client.get(URL, params)
    assert response.status_code == 200
    assert _listed(response) == [session]


def test_an_invalid_filter_shows_its_error_and_the_valid_ones_still_apply(client):
    webinar = SessionFactory(action=ActionFactory(format=ActionFormat.WEBINAR))
    SessionFactory(action=ActionFactory(format=ActionFormat.BREAKFAST))
    response = client.get(URL, {"format": "webinar", "month": "2026-13"})
    assert _listed(response) == [webinar]
    assert set(response.context["form"].errors) == {"month"}
    assert 'class="form-errors"' in response.content.decode()


def test_the_filter_form_is_labelled_and_works_without_javascript(client):
    content = client.get(URL).content.decode()
    for name in ("q", "theme", "format", "departement", "month"):
        assert f'<label for="id_{name}">' in content
        assert f'name="{name}"' in content
    assert 'method="get"' in content
    assert '<button type="submit">' in content


def test_pagination_keeps_the_filters(client):
    action = ActionFactory(format=ActionFormat.WORKSHOP)
    start = timezone.now() + timedelta(days=5)
    Session.objects.bulk_create(
        Session(
            action=action,
            starts_at=start + timedelta(days=i),
            ends_at=start + timedelta(days=i, hours=2),
        )
        for i in range(25)
    )
    first = client.get(URL, {"format": "workshop"})
    assert len(_listed(first)) == 20
    assert "format=workshop&amp;page=2" in first.content.decode()
    second = client.get(URL, {"format": "workshop", "page": 2})
    assert len(_listed(second)) == 5
    assert _listed(second)[0].starts_at > _listed(first)[-1].starts_at


# Past actions ----------------------------------------------------------------------------


def test_past_actions_list_their_sessions_and_not_the_upcoming_ones(client):
    past = SessionFactory(starts_at=_local(-30, 9), ends_at=_local(-30, 12))
    SessionFactory(action=past.action, starts_at=_local(-20, 9), ends_at=_local(-20, 12))
    upcoming = SessionFactory()
    SessionFactory(
        action=ActionFactory(is_public=False), starts_at=_local(-5, 9), ends_at=_local(-5, 12)
    )

    response = client.get(reverse("events:past_actions"))

    assert response.status_code == 200
    actions = list(response.context["actions"])
    assert actions == [past.action]
    assert len(actions[0].session_list) == 2
    content = response.content.decode()
    assert past.action.get_absolute_url() in content
    assert upcoming.action.title not in content


def test_an_action_page_of_a_past_action_shows_its_sessions_without_a_form(client):
    past = SessionFactory(starts_at=_local(-30, 9), ends_at=_local(-30, 12))
    response = client.get(past.action.get_absolute_url())
    assert response.status_code == 200
    assert response.context["open_sessions"] == []
    assert session_states(response) == {past.pk: "Session passée"}
    assert '<form method="post"' not in response.content.decode()


# Query counts: the same at 10 and at 1,000 sessions -------------------------------------


def _sessions_bulk(count: int, *, actions: list) -> None:
    start = timezone.now() + timedelta(days=1)
    Session.objects.bulk_create(
        Session(
            action=actions[i % len(actions)],
            starts_at=start + timedelta(hours=6 * i),
            ends_at=start + timedelta(hours=6 * i + 3),
            venue="Salle",
            capacity=20,
        )
        for i in range(count)
    )


@pytest.mark.parametrize("count", [10, 1000])
def test_the_agenda_runs_the_same_queries_at_10_and_1000_sessions(
    client, theme, count, django_assert_num_queries
):
    actions = ActionFactory.create_batch(10)
    department = DepartmentFactory(code="95")
    for action in actions:
        action.themes.add(theme)
        action.departments.add(department)
    _sessions_bulk(count, actions=actions)
    RegistrationFactory.create_batch(3, session=Session.objects.first())
    SiteSettings.load()  # its creation would be a change of the content, read again
    client.get(URL)  # warm the site settings cache

    # Ten sessions fit on the first page: their number is counted without a query.
    queries = AGENDA_QUERIES if count > 20 else AGENDA_QUERIES - 1
    with django_assert_num_queries(queries):
        response = client.get(URL)
    assert len(response.context["sessions"]) == 10 if count == 10 else 20
    assert response.context["page"].paginator.count == count

    # The theme and département chosen, and the themes the words of q name: no query more.
    with django_assert_num_queries(queries):
        response = client.get(URL, {"theme": theme.slug, "q": "groupe", "departement": "95"})
    assert len(response.context["sessions"]) == 10 if count == 10 else 20


@pytest.mark.parametrize("count", [10, 1000])
def test_the_action_page_runs_the_same_queries_at_10_and_1000_sessions(
    client, theme, count, django_assert_num_queries
):
    action = ActionFactory()
    action.themes.add(theme)
    _sessions_bulk(count, actions=[action, ActionFactory()])
    RegistrationFactory.create_batch(3, session=action.sessions.first())
    SiteSettings.load()  # its creation would be a change of the content, read again
    client.get(action.get_absolute_url())  # warm the site settings cache

    with django_assert_num_queries(ACTION_PAGE_QUERIES):
        response = client.get(action.get_absolute_url())
    assert len(response.context["sessions"]) == count // 2

    caches["fragments"].clear()
    with django_assert_num_queries(ACTION_PAGE_QUERIES_MADE):
        response = client.get(action.get_absolute_url())
