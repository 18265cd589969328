"""Sending an issue to a segment: by département, type of actor, theme of interest; the
deliveries, the back office, the audit trail, the annual figures, the preferences page."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import ActorType
from newsletter.models import Delivery, DeliveryStatus, IssueStatus, SubscriberStatus
from newsletter.selectors.figures import newsletter_figures
from newsletter.selectors.segments import issue_recipients, segment_describe
from newsletter.services import campaigns, sending
from newsletter.tokens import manage_token_make
from portal.core.models import AuditEntry
from tests.members.factories import DepartmentFactory
from tests.newsletter.factories import IssueFactory, SubscriberFactory
from tests.publications.factories import ThemeFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine("2025-06-10 10:00 +02:00", tick=False),
]


@pytest.fixture
def places():
    return {
        "95": DepartmentFactory(code="95", name="Val-d'Oise"),
        "78": DepartmentFactory(code="78", name="Yvelines"),
    }


@pytest.fixture
def themes():
    return {
        "santé": ThemeFactory(name="Santé", slug="sante"),
        "jeunesse": ThemeFactory(name="Jeunesse", slug="jeunesse"),
        "emploi": ThemeFactory(name="Emploi", slug="emploi"),
    }


@pytest.fixture
def readers(places, themes):
    """Five active readers, and two who no longer receive anything."""
    people = {
        "élue95": SubscriberFactory(department=places["95"], actor_type=ActorType.ELECTED),
        "agent95": SubscriberFactory(
            department=places["95"], actor_type=ActorType.COLLECTIVITY_STAFF
        ),
        "élue78": SubscriberFactory(department=places["78"], actor_type=ActorType.ELECTED),
        "asso": SubscriberFactory(department=None, actor_type=ActorType.ASSOCIATION),
        "sans thème": SubscriberFactory(department=places["78"], actor_type=ActorType.OTHER),
        "parti95": SubscriberFactory(department=places["95"], status=SubscriberStatus.UNSUBSCRIBED),
    }
    people["élue95"].themes.set([themes["santé"], themes["jeunesse"]])
    people["agent95"].themes.set([themes["jeunesse"]])
    people["élue78"].themes.set([themes["santé"]])
    people["asso"].themes.set([themes["emploi"]])
    people["parti95"].themes.set([themes["santé"]])
    return people


def names_of(issue, readers) -> set[str]:
    ids = set(issue_recipients(issue=issue).values_list("pk", flat=True))
    return {name for name, subscriber in readers.items() if subscriber.pk in ids}


def test_an_issue_without_segment_goes_to_every_active_reader(readers):
    issue = IssueFactory()
    assert names_of(issue, readers) == {"élue95", "agent95", "élue78", "asso", "sans thème"}
    assert segment_describe(issue=issue) == "tous les abonné·es actif·ves"


def test_a_segment_by_departement(readers, places):
    issue = IssueFactory()
    issue.segment_departments.set([places["95"]])
    assert names_of(issue, readers) == {"élue95", "agent95"}  # nor the one without any
    assert segment_describe(issue=issue) == "départements : Val-d'Oise (95)"


def test_a_segment_by_type_of_actor(readers):
    issue = IssueFactory(segment_actor_types=[ActorType.ELECTED, ActorType.ASSOCIATION])
    assert names_of(issue, readers) == {"élue95", "élue78", "asso"}
    assert segment_describe(issue=issue) == "types d\u2019acteur : Élu·e, Association"


def test_a_theme_segment_reaches_only_the_readers_of_that_theme(readers, themes):
    issue = IssueFactory()
    issue.segment_themes.set([themes["santé"]])
    assert names_of(issue, readers) == {"élue95", "élue78"}  # not « sans thème »
    issue.segment_themes.set([themes["santé"], themes["emploi"]])
    assert names_of(issue, readers) == {"élue95", "élue78", "asso"}
    assert segment_describe(issue=issue) == "thèmes : Emploi, Santé"


def test_criteria_add_up(readers, places, themes):
    issue = IssueFactory(segment_actor_types=[ActorType.ELECTED])
    issue.segment_departments.set([places["95"], places["78"]])
    issue.segment_themes.set([themes["jeunesse"]])
    assert names_of(issue, readers) == {"élue95"}
    assert segment_describe(issue=issue) == (
        "départements : Yvelines (78), Val-d'Oise (95) ; types d\u2019acteur : Élu·e ; "
        "thèmes : Jeunesse"
    )


def test_deliveries_are_created_only_for_the_segment(readers, places, staff_user):
    issue = IssueFactory(status=IssueStatus.READY)
    issue.segment_departments.set([places["95"]])
    campaigns.issue_send_start(issue=issue, actor=staff_user)

    assert sending.deliveries_create(issue_id=issue.pk) == 2
    assert sending.deliveries_create(issue_id=issue.pk) == 2  # safe to run twice

    issue.refresh_from_db()
    assert issue.recipients_count == 2
    assert set(issue.deliveries.values_list("subscriber", flat=True)) == {
        readers["élue95"].pk,
        readers["agent95"].pk,
    }
    entry = AuditEntry.objects.for_object(issue).get(action="newsletter.sending")
    assert entry.changes["segment"] == "départements : Val-d'Oise (95)"


def test_a_schedule_records_the_segment_too(readers, themes, staff_user):
    issue = IssueFactory(status=IssueStatus.READY)
    issue.segment_themes.set([themes["emploi"]])
    campaigns.issue_schedule(
        issue=issue, when=timezone.now() + timezone.timedelta(days=1), actor=staff_user
    )
    entry = AuditEntry.objects.for_object(issue).get(action="newsletter.scheduled")
    assert entry.changes["segment"] == "thèmes : Emploi"


def test_the_annual_figures_count_a_segmented_issue_as_any_other(readers, places):
    everyone = IssueFactory(status=IssueStatus.SENT, sent_at=timezone.now())
    some = IssueFactory(status=IssueStatus.SENT, sent_at=timezone.now())
    some.segment_departments.set([places["78"]])
    for issue in (everyone, some):
        for subscriber in issue_recipients(issue=issue):
            Delivery.objects.create(
                issue=issue, subscriber=subscriber, status=DeliveryStatus.SENT,
                sent_at=timezone.now(),
            )  # fmt: skip

    figures = newsletter_figures(year=2025)

    assert figures.issues_sent == 2
    assert (figures.deliveries, figures.delivered) == (5 + 2, 5 + 2)


# The back office --------------------------------------------------------------------------


def test_the_admin_shows_the_segment_and_its_size_before_sending(staff_client, readers, places):
    issue = IssueFactory(status=IssueStatus.READY)
    issue.segment_departments.set([places["95"]])

    change = staff_client.get(reverse("admin:newsletter_issue_change", args=[issue.pk]))
    confirm = staff_client.get(reverse("admin:newsletter_issue_move", args=[issue.pk, "start"]))

    assert (
        "Destinataires : départements : Val-d'Oise (95) — 2 abonné·es actif·ves aujourd\u2019hui"
        in (html.unescape(change.content.decode()))
    )
    page = html.unescape(confirm.content.decode())
    assert "Le numéro partira vers 2 abonné·es actif·ves." in page
    assert "Destinataires : départements : Val-d'Oise (95)" in page


def test_staff_choose_the_segment_in_the_issue_form(staff_client, places, themes):
    issue = IssueFactory(number=42, status=IssueStatus.DRAFT, title="Jeunesse")
    data = {
        "number": 42, "month": "01/07/2025", "title": "Jeunesse", "editorial": "",
        "segment_departments": [places["95"].pk],
        "segment_actor_types": [ActorType.RESIDENT, ActorType.ELECTED],
        "segment_themes": [themes["jeunesse"].pk],
        "blocks-TOTAL_FORMS": 0, "blocks-INITIAL_FORMS": 0,
    }  # fmt: skip

    response = staff_client.post(reverse("admin:newsletter_issue_change", args=[issue.pk]), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    issue.refresh_from_db()
    assert issue.segment_actor_types == [ActorType.ELECTED, ActorType.RESIDENT]
    assert list(issue.segment_departments.all()) == [places["95"]]
    assert list(issue.segment_themes.all()) == [themes["jeunesse"]]


def test_a_sent_issue_shows_its_segment_in_words(staff_client, places):
    issue = IssueFactory(status=IssueStatus.SENT, sent_at=timezone.now())
    issue.segment_departments.set([places["78"]])
    response = staff_client.get(reverse("admin:newsletter_issue_change", args=[issue.pk]))
    assert response.status_code == 200
    assert "départements : Yvelines (78)" in html.unescape(response.content.decode())
    assert "segment_departments" not in response.context["adminform"].form.fields


# The preferences page -----------------------------------------------------------------------


def test_the_preferences_page_saves_the_themes(client, readers, themes):
    subscriber = readers["sans thème"]
    path = reverse("newsletter:preferences", args=[manage_token_make(subscriber.pk)])
    page = client.get(path).content.decode()
    assert "Thèmes qui vous intéressent" in page
    assert "Santé" in page and "Emploi" in page

    response = client.post(
        path,
        {
            "mail_format": "html",
            "actor_type": ActorType.OTHER,
            "department": "78",
            "themes": [themes["santé"].pk, themes["emploi"].pk],
        },
    )

    assert response.status_code == 302
    assert set(subscriber.themes.values_list("name", flat=True)) == {"Santé", "Emploi"}
    form = client.get(path).context["form"]
    assert {theme.pk for theme in form["themes"].initial} == {
        themes["santé"].pk,
        themes["emploi"].pk,
    }
    issue = IssueFactory()
    issue.segment_themes.set([themes["emploi"]])
    assert "sans thème" in names_of(issue, readers)  # now a reader of that theme

    client.post(path, {"mail_format": "html", "actor_type": ActorType.OTHER})
    assert not subscriber.themes.exists()  # every box unticked: no theme any more
