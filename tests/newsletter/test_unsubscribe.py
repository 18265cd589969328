"""Unsubscribing (a GET asks, a POST acts, RFC 8058 one-click without CSRF) and the
preferences page, reached by the signed links of every email."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import resolve, reverse
from django.utils.translation import gettext

from newsletter.models import MailFormat, SubscriberStatus
from newsletter.rendering import RenderedIssue
from newsletter.services.messages import campaign_message, subscriber_links
from newsletter.tokens import manage_token_make
from portal.core.models import AuditEntry
from tests.members.factories import DepartmentFactory
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"


def unsubscribe_path(subscriber) -> str:
    return reverse("newsletter:unsubscribe", args=[manage_token_make(subscriber.pk)])


def preferences_path(subscriber) -> str:
    return reverse("newsletter:preferences", args=[manage_token_make(subscriber.pk)])


def one_click(path: str):
    """What a mail provider sends: a form-encoded POST, no cookie, no CSRF token."""
    client = Client(enforce_csrf_checks=True)
    return client.post(path, ONE_CLICK, content_type="application/x-www-form-urlencoded")


def test_a_get_asks_and_unsubscribes_nobody(client):
    subscriber = SubscriberFactory()
    path = unsubscribe_path(subscriber)
    response = client.get(path)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'method="post"' in content and f'action="{path}"' in content
    assert subscriber.email in content
    assert preferences_path(subscriber) in content
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.ACTIVE
    assert subscriber.unsubscribed_at is None
    assert not AuditEntry.objects.for_object(subscriber).exists()


def test_one_click_post_without_cookie_or_csrf_token_unsubscribes_at_once():
    subscriber = SubscriberFactory()
    bystander = SubscriberFactory()
    response = one_click(unsubscribe_path(subscriber))
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None
    entry = AuditEntry.objects.for_object(subscriber).get()
    assert entry.action == "newsletter.unsubscribed"
    assert entry.changes == {"status": ["active", "unsubscribed"], "source": "one_click"}
    bystander.refresh_from_db()
    assert bystander.status == SubscriberStatus.ACTIVE

    # Again: the same answer, nothing more recorded.
    assert one_click(unsubscribe_path(subscriber)).status_code == 200
    assert AuditEntry.objects.for_object(subscriber).count() == 1


def test_the_button_of_the_confirmation_page_unsubscribes(client):
    subscriber = SubscriberFactory()
    response = client.post(unsubscribe_path(subscriber))
    assert response.status_code == 200
    assert subscriber.email in response.content.decode()
    assert reverse("newsletter:subscribe") in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert AuditEntry.objects.for_object(subscriber).get().changes["source"] == "link"


def test_a_tampered_token_unsubscribes_nobody(client):
    subscribers = SubscriberFactory.create_batch(3)
    token = manage_token_make(subscribers[0].pk)
    prefix, signature = token.split(".", 1)
    tampered = [
        f"{subscribers[1].pk}.{signature}",  # another id with this signature
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        prefix,
        "",
    ]
    for bad in tampered:
        path = f"/resonances/desinscription/{bad}/"
        if not bad:
            assert one_click("/resonances/desinscription//").status_code == 404
            continue
        response = one_click(path)
        assert response.status_code == 400
        assert response.context["reason"] == "manage"
        assert client.get(path).status_code == 400
        assert client.get(f"/resonances/preferences/{bad}/").status_code == 400
    for subscriber in subscribers:
        subscriber.refresh_from_db()
        assert subscriber.status == SubscriberStatus.ACTIVE
    assert not AuditEntry.objects.exists()


def test_an_erased_subscriber_gets_a_friendly_page(client):
    subscriber = SubscriberFactory()
    path = unsubscribe_path(subscriber)
    preferences = preferences_path(subscriber)
    subscriber.delete()
    expected = gettext("This address is no longer subscribed")
    for response in (one_click(path), client.get(path), client.get(preferences)):
        assert response.status_code == 200
        assert expected in response.content.decode()


def test_the_links_of_a_campaign_message_lead_to_these_pages(client):
    subscriber = SubscriberFactory()
    links = subscriber_links(subscriber)
    for name, url in (("unsubscribe", links["unsubscribe_url"]),
                      ("preferences", links["preferences_url"])):  # fmt: skip
        assert resolve(urlsplit(url).path).url_name == name
    message = campaign_message(
        rendered=RenderedIssue(subject="Résonances n° 1", html="<p>x</p>", text="x"),
        to=subscriber.email,
        **links,
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == ONE_CLICK
    header_url = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert header_url == links["unsubscribe_url"]
    assert one_click(urlsplit(header_url).path).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED


# Preferences ------------------------------------------------------------------------------------


def test_preferences_are_prefilled_and_saved(client):
    yvelines = DepartmentFactory(code="78", name="Yvelines")
    subscriber = SubscriberFactory(organisation="CCAS de Sarcelles", actor_type="association")
    path = preferences_path(subscriber)
    response = client.get(path)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["mail_format"].value() == MailFormat.HTML
    assert form["organisation"].value() == "CCAS de Sarcelles"
    assert unsubscribe_path(subscriber) in response.content.decode()

    response = client.post(
        path,
        {
            "mail_format": MailFormat.TEXT,
            "first_name": "Awa",
            "last_name": "Diallo",
            "organisation": "Ville de Mantes-la-Jolie",
            "actor_type": "collectivity_staff",
            "department": "78",
        },
        follow=True,
    )
    assert response.redirect_chain == [(path, 302)]
    assert [str(m) for m in response.context["messages"]] == [
        gettext("Your preferences are saved.")
    ]
    subscriber.refresh_from_db()
    assert subscriber.mail_format == MailFormat.TEXT
    assert (subscriber.first_name, subscriber.last_name) == ("Awa", "Diallo")
    assert subscriber.organisation == "Ville de Mantes-la-Jolie"
    assert subscriber.department == yvelines
    assert subscriber.status == SubscriberStatus.ACTIVE


def test_preferences_need_the_csrf_token_and_refuse_bad_values():
    subscriber = SubscriberFactory(organisation="Avant")
    path = preferences_path(subscriber)
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(path, {"mail_format": "text", "actor_type": "other"}).status_code == 403
    client = Client()
    response = client.post(path, {"mail_format": "pdf", "actor_type": "other", "department": "x"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"mail_format", "department"}
    subscriber.refresh_from_db()
    assert (subscriber.organisation, subscriber.mail_format) == ("Avant", MailFormat.HTML)


def test_an_unsubscribed_person_sees_no_preferences_form(client):
    subscriber = SubscriberFactory(status=SubscriberStatus.UNSUBSCRIBED, organisation="Avant")
    path = preferences_path(subscriber)
    response = client.get(path)
    assert response.status_code == 200
    assert 'name="mail_format"' not in response.content.decode()
    client.post(path, {"mail_format": "text", "actor_type": "other", "organisation": "Après"})
    subscriber.refresh_from_db()
    assert subscriber.organisation == "Avant"
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
