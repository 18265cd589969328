"""What anonymous visitors send through the public forms (a registration, an info-doc
request, a subscription, a request to join) shows on no public page as it is: the
pages cached before stay cached (portal.core.pagecache, `shown_when_created`)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.events.factories import SessionFactory
from tests.events.test_registration_views import form_data as registration_data
from tests.infodoc.factories import InfoRequestFactory
from tests.infodoc.test_public import form_data as info_request_data
from tests.members.factories import DepartmentFactory, MembershipFactory, OrganisationFactory
from tests.members.test_public import valid_request as membership_request_data
from tests.newsletter.test_subscription import form_data as subscription_data

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("page_cache_on", "form_mail_tasks_inline"),
]


def _register(visitor, session):
    return visitor.post(session.action.get_absolute_url(), registration_data(session))


def _ask_infodoc(visitor, session):
    return visitor.post(reverse("infodoc:index"), info_request_data())


def _subscribe(visitor, session):
    return visitor.post(reverse("newsletter:subscribe"), subscription_data())


def _ask_to_join(visitor, session):
    return visitor.post(reverse("members:public_list"), membership_request_data())


def _public_pages(session) -> list[str]:
    return [
        "/",
        reverse("events:agenda"),
        session.action.get_absolute_url(),
        reverse("publications:list"),
        reverse("newsletter:archive"),
        reverse("infodoc:qa_list"),
        reverse("members:public_list"),
    ]


def _hits(urls: list[str]) -> dict[str, str]:
    return {url: Client().get(url).get("X-Page-Cache") for url in urls}


@pytest.mark.parametrize("send", [_register, _ask_infodoc, _subscribe, _ask_to_join])
def test_a_public_form_sent_leaves_the_other_pages_cached(send, django_capture_on_commit_callbacks):
    DepartmentFactory(code="95", name="Val-d'Oise")
    session = SessionFactory(capacity=10)
    pages = _public_pages(session)
    _hits(pages)
    assert set(_hits(pages).values()) == {"hit"}

    with django_capture_on_commit_callbacks(execute=True):
        response = send(Client(), session)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert _hits(pages) == dict.fromkeys(pages, "hit")


def _qa_list_cached() -> str:
    url = reverse("infodoc:qa_list")
    Client().get(url)
    return url


def test_a_request_created_public_shows_at_once(django_capture_on_commit_callbacks):
    url = _qa_list_cached()

    with django_capture_on_commit_callbacks(execute=True):
        InfoRequestFactory(
            is_public=True,
            public_question="Comment monter un conseil citoyen ?",
            public_answer="Voici les étapes.",
        )

    response = Client().get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Comment monter un conseil citoyen ?" in response.content.decode()


def test_a_request_published_later_shows_at_once(django_capture_on_commit_callbacks):
    request = InfoRequestFactory()
    url = _qa_list_cached()

    with django_capture_on_commit_callbacks(execute=True):
        request.public_question = "Comment monter un conseil citoyen ?"
        request.public_answer = "Voici les étapes."
        request.is_public = True
        request.save()

    response = Client().get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Comment monter un conseil citoyen ?" in response.content.decode()


def test_a_new_organisation_shows_with_its_membership(django_capture_on_commit_callbacks):
    department = DepartmentFactory()
    url = reverse("members:public_list")
    Client().get(url)

    with django_capture_on_commit_callbacks(execute=True):
        organisation = OrganisationFactory(name="Régie de quartier du Val", department=department)
    assert Client().get(url)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        MembershipFactory(organisation=organisation)

    response = Client().get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Régie de quartier du Val" in response.content.decode()
