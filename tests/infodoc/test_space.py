"""The member's own info-doc requests in the member space: listed, detailed, isolated."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from infodoc.models import RequestStatus
from tests.infodoc.factories import InfoRequestFactory
from tests.members.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(member_user):
    person = PersonFactory(user=member_user, email="membre@example.org", first_name="Sophie")
    client = Client()
    client.force_login(member_user)
    return client, person


def test_the_list_needs_a_signed_in_account(client):
    response = client.get(reverse("infodoc_space:requests"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_an_account_without_a_person_sees_the_unlinked_page(make_user):
    client = Client()
    client.force_login(make_user("seul@example.org"))
    response = client.get(reverse("infodoc_space:requests"))
    assert response.status_code == 200
    assert "members/space_unlinked.html" in [t.name for t in response.templates]


def test_the_member_sees_only_their_own_requests(member):
    client, person = member
    mine = InfoRequestFactory(person=person, subject="Ma demande")
    answered = InfoRequestFactory(person=person, status=RequestStatus.ANSWERED)
    theirs = InfoRequestFactory(subject="Demande d'un autre")
    response = client.get(reverse("infodoc_space:requests"))
    assert response.status_code == 200
    assert set(response.context["requests"]) == {mine, answered}
    content = response.content.decode()
    assert mine.reference in content
    assert theirs.reference not in content
    assert "Demande d'un autre" not in content
    assert reverse("infodoc_space:request", args=[mine.reference]) in content
    # The navigation of the member space links the page.
    space_url = reverse("infodoc_space:requests")
    assert f'<a href="{space_url}" aria-current="page">' in content


def test_the_detail_shows_the_question_and_the_answer_once_answered(member):
    client, person = member
    answered = InfoRequestFactory(
        person=person, status=RequestStatus.ANSWERED, answer="Voici trois ressources."
    )
    response = client.get(reverse("infodoc_space:request", args=[answered.reference]))
    assert response.status_code == 200
    assert response.context["info_request"] == answered
    content = response.content.decode()
    assert "Voici trois ressources." in content
    assert answered.question in content
    pending = InfoRequestFactory(person=person, answer="Brouillon interne")
    response = client.get(reverse("infodoc_space:request", args=[pending.reference]))
    assert "Brouillon interne" not in response.content.decode()


def test_another_persons_request_is_a_404(member):
    client, _person = member
    theirs = InfoRequestFactory()
    response = client.get(reverse("infodoc_space:request", args=[theirs.reference]))
    assert response.status_code == 404
    assert client.get(reverse("infodoc_space:request", args=["ID-1999-0001"])).status_code == 404


LIST_QUERIES = 3


def _list_queries(client, django_assert_num_queries, count):
    with django_assert_num_queries(count):
        response = client.get(reverse("infodoc_space:requests"))
    assert response.status_code == 200
    return response


def test_the_list_runs_a_fixed_number_of_queries(member, django_assert_num_queries):
    client, person = member
    InfoRequestFactory.create_batch(2, person=person)
    client.get(reverse("infodoc_space:requests"))  # the site settings are kept from now on
    # user, person (with organisation), the requests
    response = _list_queries(client, django_assert_num_queries, LIST_QUERIES)
    assert len(response.context["requests"]) == 2
    InfoRequestFactory.create_batch(8, person=person, status=RequestStatus.IN_PROGRESS)
    client.get(reverse("infodoc_space:requests"))  # a change of the content: read them again
    response = _list_queries(client, django_assert_num_queries, LIST_QUERIES)
    assert len(response.context["requests"]) == 10
