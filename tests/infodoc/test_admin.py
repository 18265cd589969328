"""The info-doc queue in the back office: access, filters, actions, pages."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from infodoc.models import InfoRequest, RequesterKind, RequestStatus, ResponseType
from infodoc.services.requests import info_request_transition
from portal.core.models import AuditEntry
from tests.infodoc.factories import AttachmentFactory, InfoRequestFactory
from tests.members.factories import PersonFactory
from tests.publications.factories import PublicationFactory, ThemeFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:infodoc_inforequest_changelist"
ACTION = "action"
SELECTED = "_selected_action"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def listed(response) -> set[str]:
    return {obj.reference for obj in response.context["cl"].result_list}


def refusal_of(request: InfoRequest, to_status: str) -> str:
    """The service's own refusal message, in the active language."""
    try:
        info_request_transition(request=request, to_status=to_status, actor=None)
    except ValidationError as error:
        return " ".join(error.messages)
    raise AssertionError("the move was allowed")


# Access ------------------------------------------------------------------------------


def page_urls(request: InfoRequest) -> list[str]:
    return [
        reverse(CHANGELIST),
        reverse("admin:infodoc_inforequest_add"),
        reverse("admin:infodoc_inforequest_change", args=[request.pk]),
        reverse("admin:infodoc_inforequest_answer", args=[request.pk]),
        reverse("admin:infodoc_inforequest_publish", args=[request.pk]),
    ]


def test_pages_load_for_staff(staff_client):
    request = InfoRequestFactory(status=RequestStatus.IN_PROGRESS, answer="Réponse")
    AttachmentFactory(request=request)
    for url in page_urls(request):
        response = staff_client.get(url)
        assert response.status_code == 200, url


def test_pages_refuse_members(client, member_user):
    request = InfoRequestFactory()
    client.force_login(member_user)
    for url in page_urls(request):
        response = client.get(url)
        assert response.status_code == 302, url
        assert reverse("admin:login") in response["Location"]


def test_change_form_shows_history_buttons_and_no_editable_status(staff_client):
    request = InfoRequestFactory(status=RequestStatus.IN_PROGRESS, answer="Réponse")
    response = staff_client.get(reverse("admin:infodoc_inforequest_change", args=[request.pk]))
    content = response.content.decode()
    assert 'name="status"' not in content
    assert reverse("admin:infodoc_inforequest_answer", args=[request.pk]) in content
    assert (
        reverse("admin:infodoc_inforequest_transition", args=[request.pk, "no_follow_up"])
        in content
    )
    assert (
        reverse("admin:infodoc_inforequest_transition", args=[request.pk, "closed"]) not in content
    )
    assert 'name="response_types"' in content and 'type="checkbox"' in content
    assert response.context["inline_admin_formsets"][1].formset.queryset.count() == 1


def test_changelist_query_count_does_not_grow(staff_client, django_assert_max_num_queries):
    InfoRequestFactory.create_batch(3, status=RequestStatus.IN_PROGRESS)
    with django_assert_max_num_queries(30) as small:
        staff_client.get(reverse(CHANGELIST))
    InfoRequestFactory.create_batch(12, status=RequestStatus.IN_PROGRESS)
    with django_assert_max_num_queries(len(small.captured_queries)):
        staff_client.get(reverse(CHANGELIST))


# The queue: ordering and filters -------------------------------------------------------


def test_open_requests_come_first(staff_client):
    closed = InfoRequestFactory(status=RequestStatus.CLOSED)
    new = InfoRequestFactory(received_on=timezone.localdate() - timedelta(days=40))
    response = staff_client.get(reverse(CHANGELIST))
    order = [obj.reference for obj in response.context["cl"].result_list]
    assert order.index(new.reference) < order.index(closed.reference)


def test_filters(staff_client, staff_user, director_user):
    today = timezone.localdate()
    theme = ThemeFactory()
    mine = InfoRequestFactory(assignee=staff_user, requester_kind=RequesterKind.EPCI)
    other = InfoRequestFactory(assignee=director_user, themes=[theme])
    unassigned = InfoRequestFactory(received_on=today - timedelta(days=400))
    late_wish = InfoRequestFactory(wished_by=today - timedelta(days=1))
    old = InfoRequestFactory(received_on=today - timedelta(days=16))
    old_but_answered = InfoRequestFactory(
        received_on=today - timedelta(days=30), status=RequestStatus.ANSWERED
    )
    old_no_follow_up = InfoRequestFactory(
        received_on=today - timedelta(days=30), status=RequestStatus.NO_FOLLOW_UP
    )
    recent = InfoRequestFactory(received_on=today - timedelta(days=14), wished_by=today)
    url = reverse(CHANGELIST)

    assert listed(staff_client.get(url, {"assignee": "mine"})) == {mine.reference}
    assert listed(staff_client.get(url, {"assignee": str(director_user.pk)})) == {other.reference}
    assert mine.reference not in listed(staff_client.get(url, {"assignee": "none"}))
    assert unassigned.reference in listed(staff_client.get(url, {"assignee": "none"}))
    overdue = listed(staff_client.get(url, {"overdue": "yes"}))
    assert {late_wish.reference, old.reference, unassigned.reference} <= overdue
    assert (
        not {
            old_but_answered.reference,
            old_no_follow_up.reference,
            recent.reference,
            mine.reference,
        }
        & overdue
    )
    assert recent.reference in listed(staff_client.get(url, {"overdue": "no"}))
    assert listed(staff_client.get(url, {"status": "answered"})) == {old_but_answered.reference}
    assert listed(staff_client.get(url, {"requester_kind": "epci"})) == {mine.reference}
    assert listed(staff_client.get(url, {"themes__id__exact": theme.pk})) == {other.reference}
    last_year = str(unassigned.received_on.year)
    assert unassigned.reference in listed(staff_client.get(url, {"year": last_year}))
    searched = listed(staff_client.get(url, {"q": mine.person.last_name}))
    assert searched == {mine.reference}


# Actions -------------------------------------------------------------------------------


def test_assign_to_me_action(staff_client, staff_user):
    first, second = InfoRequestFactory(), InfoRequestFactory()
    response = staff_client.post(
        reverse(CHANGELIST), {ACTION: "assign_to_me", SELECTED: [first.pk, second.pk]}
    )
    assert response.status_code == 302
    for request in (first, second):
        request.refresh_from_db()
        assert request.assignee == staff_user
        assert request.status == RequestStatus.IN_PROGRESS
        assert AuditEntry.objects.for_object(request).filter(
            action="info_request.assigned", actor=staff_user
        )


def test_transition_action_reports_refused_rows(staff_client):
    new = InfoRequestFactory()
    closed = InfoRequestFactory(status=RequestStatus.CLOSED)
    expected = refusal_of(closed, RequestStatus.IN_PROGRESS)
    response = staff_client.post(
        reverse(CHANGELIST), {ACTION: "mark_in_progress", SELECTED: [new.pk, closed.pk]}
    )
    new.refresh_from_db()
    closed.refresh_from_db()
    assert new.status == RequestStatus.IN_PROGRESS
    assert closed.status == RequestStatus.CLOSED
    texts = messages_of(response)
    assert f"{closed.reference} : {expected}" in texts  # French spacing before the colon
    assert not any(new.reference in text for text in texts)


def test_status_button(staff_client, staff_user):
    request = InfoRequestFactory()
    url = reverse("admin:infodoc_inforequest_transition", args=[request.pk, "no_follow_up"])
    assert staff_client.get(url).status_code == 405
    staff_client.post(url)
    request.refresh_from_db()
    assert request.status == RequestStatus.NO_FOLLOW_UP
    assert request.status_changes.get().changed_by == staff_user
    response = staff_client.post(
        reverse("admin:infodoc_inforequest_transition", args=[request.pk, "closed"])
    )
    assert messages_of(response)[-1].startswith(f"{request.reference} : ")
    request.refresh_from_db()
    assert request.status == RequestStatus.NO_FOLLOW_UP


def test_saving_the_form_keeps_the_status_and_stores_response_types(staff_client, staff_user):
    request = InfoRequestFactory(person=PersonFactory())
    url = reverse("admin:infodoc_inforequest_change", args=[request.pk])
    form = staff_client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("themes", "publications", "resources")
    }
    data.update(
        {
            "status": "closed",  # ignored: not a field of the form
            "response_types": [ResponseType.SPEAKERS, ResponseType.DOCUMENTS],
            "answer": "Des intervenants possibles.",
            "assignee": staff_user.pk,
            "attachments-TOTAL_FORMS": 0,
            "attachments-INITIAL_FORMS": 0,
            "status_changes-TOTAL_FORMS": 0,
            "status_changes-INITIAL_FORMS": 0,
        }
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, [
        response.context["adminform"].form.errors,
        [f.errors for f in response.context["inline_admin_formsets"]],
        [f.formset.non_form_errors() for f in response.context["inline_admin_formsets"]],
    ]
    request.refresh_from_db()
    assert request.response_types == ["documents", "speakers"]
    assert request.answer == "Des intervenants possibles."
    assert request.assignee == staff_user
    assert request.status == RequestStatus.IN_PROGRESS  # through the assignment only
    actions = set(AuditEntry.objects.for_object(request).values_list("action", flat=True))
    assert {"info_request.changed", "info_request.assigned", "info_request.status"} <= actions


def test_add_gives_a_reference(staff_client):
    person = PersonFactory()
    response = staff_client.post(
        reverse("admin:infodoc_inforequest_add"),
        {
            "received_on": timezone.localdate().isoformat(),
            "channel": "phone",
            "person": person.pk,
            "requester_kind": "city",
            "subject": "Appel téléphonique",
            "question": "Une question posée au téléphone.",
            "minutes_spent": 0,
            "attachments-TOTAL_FORMS": 0,
            "attachments-INITIAL_FORMS": 0,
            "status_changes-TOTAL_FORMS": 0,
            "status_changes-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    request = InfoRequest.objects.get(subject="Appel téléphonique")
    assert request.reference.startswith(f"ID-{timezone.localdate().year}-")
    assert request.status == RequestStatus.NEW


# Answer and publication pages -----------------------------------------------------------


def test_answer_page_sends_through_smtp(staff_client, smtp_server, mail_flush):
    request = InfoRequestFactory(status=RequestStatus.IN_PROGRESS, answer="Voici la réponse.")
    AttachmentFactory(request=request, title="Guide")
    publication = PublicationFactory()
    request.publications.add(publication)
    url = reverse("admin:infodoc_inforequest_answer", args=[request.pk])
    page = staff_client.get(url).content.decode()
    assert request.person.email in page
    assert "Voici la réponse." in page
    assert "Guide" in page
    assert publication.title in page

    response = staff_client.post(url)
    mail_flush()  # the mail task, after commit

    assert response.status_code == 302
    assert len(smtp_server.envelopes) == 1
    request.refresh_from_db()
    assert request.status == RequestStatus.ANSWERED
    assert any(request.person.email in text for text in messages_of(response))


def test_answer_page_reports_a_refused_send(staff_client):
    request = InfoRequestFactory(status=RequestStatus.IN_PROGRESS, answer="Réponse")
    request.person.email = ""
    request.person.save()
    response = staff_client.post(reverse("admin:infodoc_inforequest_answer", args=[request.pk]))
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_PROGRESS
    [text] = messages_of(response)
    assert text.startswith(f"{request.reference} : ")


def test_answer_page_of_a_new_request_offers_no_send(staff_client):
    request = InfoRequestFactory()
    response = staff_client.get(reverse("admin:infodoc_inforequest_answer", args=[request.pk]))
    assert response.context["problems"]
    assert 'class="default"' not in response.content.decode()


def test_publish_page_prefills_and_publishes(staff_client):
    request = InfoRequestFactory(status=RequestStatus.ANSWERED, question="Question de Mme X ?")
    url = reverse("admin:infodoc_inforequest_publish", args=[request.pk])
    form = staff_client.get(url).context["form"]
    assert form.initial == {"public_question": request.question, "public_answer": request.answer}

    response = staff_client.post(
        url,
        {"public_question": "Une question ? tel 06 12 34 56 78", "public_answer": "Une réponse."},
    )

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.is_public
    assert "06 12" not in request.public_question


def test_publish_page_refuses_an_open_request(staff_client):
    request = InfoRequestFactory(status=RequestStatus.IN_PROGRESS, answer="Réponse")
    url = reverse("admin:infodoc_inforequest_publish", args=[request.pk])
    assert staff_client.get(url).context["problems"]
    response = staff_client.post(url, {"public_question": "Q ?", "public_answer": "R."})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    request.refresh_from_db()
    assert not request.is_public


def test_publish_and_unpublish_actions(staff_client):
    request = InfoRequestFactory(status=RequestStatus.ANSWERED)
    response = staff_client.post(reverse(CHANGELIST), {ACTION: "publish", SELECTED: [request.pk]})
    assert response["Location"] == reverse("admin:infodoc_inforequest_publish", args=[request.pk])
    staff_client.post(response["Location"], {"public_question": "Q ?", "public_answer": "R."})
    staff_client.post(reverse(CHANGELIST), {ACTION: "unpublish", SELECTED: [request.pk]})
    request.refresh_from_db()
    assert not request.is_public
    response = staff_client.post(reverse("admin:infodoc_inforequest_unpublish", args=[request.pk]))
    assert messages_of(response)[-1].startswith(f"{request.reference} : ")
