"""Subscribing to « Résonances »: double opt-in through a real SMTP server, the rate
limit, the honeypot, and hostile input that must never break the pages."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from email.header import decode_header, make_header
from urllib.parse import quote, urlsplit

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from newsletter.models import ConsentSource, Subscriber, SubscriberStatus
from newsletter.tokens import CONFIRM_SALT, confirm_token_make, confirm_token_read
from portal.core.models import AuditEntry, OutgoingMail, SiteSettings
from portal.core.tasks import mail_deliver_task
from tests.members.factories import DepartmentFactory
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

SUBSCRIBE = reverse("newsletter:subscribe")
DONE = reverse("newsletter:subscribe_done")
CONFIRM_LINK = re.compile(r"https?://\S+/resonances/inscription/confirmation/[^/\s]+/")
RATE_LIMITED = (
    "Several subscriptions were asked for in a short time from here or for this address. "
    "Please wait an hour and try again."
)


@pytest.fixture(autouse=True)
def _mails_inline(form_mail_tasks_inline):
    """The subscription mails are sent at once, in this process (see tests/conftest.py)."""


@pytest.fixture
def val_d_oise(db):
    return DepartmentFactory(code="95", name="Val-d'Oise")


def form_data(**overrides) -> dict:
    return {
        "email": "camille.durand@example.org",
        "first_name": "Camille",
        "last_name": "Durand",
        "organisation": "Ville de Cergy",
        "actor_type": "collectivity_staff",
        "department": "95",
        "consent": "on",
        **overrides,
    }


def text_part(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text part")


def confirm_path(message) -> str:
    match = CONFIRM_LINK.search(text_part(message))
    assert match, "no confirmation link in the email"
    return urlsplit(match.group(0)).path


def subscribe(client, capture, **overrides):
    with capture(execute=True):
        return client.post(SUBSCRIBE, form_data(**overrides))


# Double opt-in ------------------------------------------------------------------------------


def test_the_form_page_has_the_consent_the_honeypot_and_the_privacy_link(client):
    response = client.get(SUBSCRIBE)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="consent"' in content
    assert 'class="hp-field"' in content
    assert reverse("core:privacy") in content
    assert 'name="email"' in content and 'autocomplete="email"' in content


def test_double_opt_in_end_to_end(
    client, smtp_server, val_d_oise, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SUBSCRIBE, form_data(), REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    assert response["Location"] == DONE
    assert client.get(DONE).status_code == 200

    subscriber = Subscriber.objects.get()
    assert subscriber.status == SubscriberStatus.PENDING
    assert subscriber.consent_at is None
    assert (subscriber.first_name, subscriber.organisation) == ("Camille", "Ville de Cergy")
    assert subscriber.department == val_d_oise
    assert subscriber.actor_type == "collectivity_staff"

    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "camille.durand@example.org"
    subject = str(make_header(decode_header(message["Subject"])))
    assert subject == gettext("Confirm your subscription to Résonances")
    path = confirm_path(message)
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert confirm_token_read(token) == subscriber.pk
    assert "text/html" in {part.get_content_type() for part in message.walk()}

    # A GET (a mail scanner, or the person) shows a button and confirms nothing.
    page = client.get(path)
    assert page.status_code == 200
    content = page.content.decode()
    assert 'method="post"' in content and f'action="{path}"' in content
    assert gettext("Confirm my subscription") in content
    assert page.context["confirmed"] is False
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.PENDING

    before = timezone.now()
    confirmed = client.post(path, REMOTE_ADDR="198.51.100.4")
    assert confirmed.status_code == 200
    assert confirmed.context["confirmed"] is True
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.ACTIVE
    assert subscriber.consent_source == ConsentSource.WEB_FORM
    assert subscriber.consent_ip == "198.51.100.4"
    assert before <= subscriber.consent_at <= timezone.now()
    assert subscriber.confirmed_at == subscriber.consent_at
    entries = AuditEntry.objects.for_object(subscriber).filter(
        action="newsletter.subscription_confirmed"
    )
    assert [entry.changes["status"] for entry in entries] == [["pending", "active"]]

    # Confirming twice changes nothing.
    again = client.post(path, REMOTE_ADDR="192.0.2.1")
    assert again.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.consent_ip == "198.51.100.4"
    assert entries.count() == 1


def test_a_known_address_gets_the_same_answer_and_nothing_changes(
    client, smtp_server, django_capture_on_commit_callbacks
):
    known = SubscriberFactory(email="Camille.Durand@Example.org", organisation="Asso du quartier")
    consent_at = known.consent_at
    response = subscribe(client, django_capture_on_commit_callbacks, department="")
    new = subscribe(
        client, django_capture_on_commit_callbacks, email="new@example.org", department=""
    )
    assert (response.status_code, response["Location"]) == (new.status_code, new["Location"])

    assert Subscriber.objects.filter(email__iexact="camille.durand@example.org").count() == 1
    known.refresh_from_db()
    assert known.status == SubscriberStatus.ACTIVE
    assert known.organisation == "Asso du quartier"
    assert known.consent_at == consent_at
    # The owner of the address gets a reminder of their links, not a confirmation link.
    to_known = [m for m in smtp_server.messages if m["To"] == known.email]
    assert len(to_known) == 1
    assert not CONFIRM_LINK.search(text_part(to_known[0]))
    assert "/resonances/preferences/" in text_part(to_known[0])


def test_the_confirmation_is_recorded_with_the_subscriber_and_queued_after_commit_only(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(mail_deliver_task, "delay", queued.append)
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(SUBSCRIBE, form_data(department=""))
    [recorded] = OutgoingMail.objects.all()  # in the subscriber's transaction
    assert recorded.to == Subscriber.objects.get().email
    assert queued == []  # nothing leaves before the subscriber is committed
    for callback in callbacks:
        callback()
    assert queued == [recorded.pk]


def test_a_person_who_unsubscribed_can_subscribe_again(
    client, smtp_server, django_capture_on_commit_callbacks
):
    former = SubscriberFactory(
        email="camille.durand@example.org",
        status=SubscriberStatus.UNSUBSCRIBED,
        unsubscribed_at=timezone.now() - timedelta(days=30),
    )
    subscribe(client, django_capture_on_commit_callbacks, department="")
    former.refresh_from_db()
    assert former.status == SubscriberStatus.PENDING
    assert len(smtp_server.messages) == 1
    client.post(confirm_path(smtp_server.messages[0]))
    former.refresh_from_db()
    assert former.status == SubscriberStatus.ACTIVE
    assert former.unsubscribed_at is None
    assert Subscriber.objects.count() == 1


def test_an_old_confirmation_link_does_not_subscribe_again_someone_who_left(client):
    subscriber = SubscriberFactory(status=SubscriberStatus.UNSUBSCRIBED, consent_at=None)
    path = reverse("newsletter:confirm", args=[confirm_token_make(subscriber.pk)])
    assert client.get(path).status_code == 400
    response = client.post(path)
    assert response.status_code == 400
    assert reverse("newsletter:subscribe") in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED


def test_a_tampered_or_expired_confirmation_link_is_explained(client):
    subscriber = SubscriberFactory(status=SubscriberStatus.PENDING, consent_at=None)
    token = confirm_token_make(subscriber.pk)

    class EightDaysAgo(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 8 * 24 * 3600)

    expired = EightDaysAgo(salt=CONFIRM_SALT, sep=".").sign(str(subscriber.pk))
    for bad in (token[:-2] + "xx", expired, "nonsense"):
        path = reverse("newsletter:confirm", args=[bad])
        for response in (client.get(path), client.post(path)):
            assert response.status_code == 400
            assert response.context["reason"] == "confirm"
            assert reverse("newsletter:subscribe") in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.PENDING


# Spam protections -----------------------------------------------------------------------------


def test_a_honeypot_hit_is_thanked_and_stores_nothing(
    client, smtp_server, django_capture_on_commit_callbacks
):
    SiteSettings.load()  # as on any running site: the first page would create it
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(SUBSCRIBE, form_data(website="http://spam.example"), follow=True)
    assert response.redirect_chain == [(DONE, 302)]
    assert response.status_code == 200
    assert callbacks == []
    assert not Subscriber.objects.exists()
    assert smtp_server.messages == []


def test_the_rate_limit_per_address(client, smtp_server, django_capture_on_commit_callbacks):
    for _ in range(3):
        response = subscribe(client, django_capture_on_commit_callbacks, department="")
        assert response.status_code == 302
    response = subscribe(client, django_capture_on_commit_callbacks, department="")
    assert response.status_code == 429
    assert response.context["form"].non_field_errors() == [gettext(RATE_LIMITED)]
    assert escape(gettext(RATE_LIMITED)) in response.content.decode()
    assert response.context["form"]["email"].value() == "camille.durand@example.org"
    assert len(smtp_server.messages) == 3
    # Another address from the same place is still welcome.
    other = subscribe(
        client, django_capture_on_commit_callbacks, email="autre@example.org", department=""
    )
    assert other.status_code == 302


def test_the_rate_limit_per_ip_address(client, smtp_server, django_capture_on_commit_callbacks):
    for number in range(10):
        response = subscribe(
            client, django_capture_on_commit_callbacks, email=f"p{number}@example.org",
            department="",
        )  # fmt: skip
        assert response.status_code == 302
    response = subscribe(
        client, django_capture_on_commit_callbacks, email="eleventh@example.org", department=""
    )
    assert response.status_code == 429
    assert not Subscriber.objects.filter(email="eleventh@example.org").exists()
    assert len(smtp_server.messages) == 10
    with django_capture_on_commit_callbacks(execute=True):
        other = client.post(
            SUBSCRIBE, form_data(email="eleventh@example.org", department=""),
            REMOTE_ADDR="10.1.2.3",
        )  # fmt: skip
    assert other.status_code == 302


def test_the_limits_come_from_the_settings(client, settings, django_capture_on_commit_callbacks):
    settings.NEWSLETTER_SUBSCRIBE_RATE_LIMITS = {"email": 1}
    assert subscribe(client, django_capture_on_commit_callbacks, department="").status_code == 302
    assert subscribe(client, django_capture_on_commit_callbacks, department="").status_code == 429


def test_invalid_forms_store_nothing_and_send_nothing(
    client, smtp_server, django_capture_on_commit_callbacks
):
    for bad in ({"consent": ""}, {"email": "pas-une-adresse"}, {"department": "999"}):
        response = subscribe(client, django_capture_on_commit_callbacks, **bad)
        assert response.status_code == 200
        assert response.context["form"].errors
    assert not Subscriber.objects.exists()
    assert smtp_server.messages == []


def test_the_rate_limit_keys_hold_no_address_in_clear(client, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    subscribe(client, django_capture_on_commit_callbacks, department="")
    keys = [
        key.decode() if isinstance(key, bytes) else key
        for key in cache._cache.get_client().keys("*")
    ]
    assert any("newsletter" in key for key in keys)
    assert not any("camille" in key or "127.0.0.1" in key for key in keys)


# Hostile input ---------------------------------------------------------------------------------

MARKER = '<script>alert("resonances")</script>'
FIELDS = (
    "email", "first_name", "last_name", "organisation", "actor_type", "department", "consent",
    "website",
)  # fmt: skip
HYPOTHESIS = hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
nasty = st.sampled_from(
    [
        MARKER,
        f'"><img src=x onerror=alert(1)>{MARKER}',
        "'; DROP TABLE newsletter_subscriber; --",
        "\x00",
        "a\x00b@example.org",
        "\r\nBcc: victim@example.org",
        "x" * 10_000,
        "é" * 300,
        "\u202e\ufeff\U0001f600",
        "95",
        "on",
        "-1",
    ]
)
scalar = st.one_of(st.text(max_size=300), nasty, st.integers(), st.emails())
value = st.one_of(scalar, st.lists(scalar, max_size=3))


def _check(response):
    assert response.status_code in (200, 302, 400, 429), response.status_code
    content = response.content.decode()
    assert MARKER not in content
    assert "onerror=alert(1)>" not in content


@HYPOTHESIS
@given(data=st.dictionaries(st.sampled_from(FIELDS), value, max_size=len(FIELDS)))
def test_random_input_never_breaks_the_form(client, data):
    _check(client.post(SUBSCRIBE, data))


@HYPOTHESIS
@given(field=st.sampled_from(FIELDS), bad=value)
def test_one_bad_field_in_an_otherwise_valid_request(client, field, bad):
    from django.core.cache import cache

    cache.clear()
    _check(client.post(SUBSCRIBE, {**form_data(department=""), field: bad}))


@HYPOTHESIS
@given(
    name=st.sampled_from(["confirm", "unsubscribe", "preferences"]),
    token=st.one_of(st.text(min_size=1, max_size=300), nasty, st.binary(max_size=100).map(repr)),
    post=st.booleans(),
)
def test_random_tokens_never_break_the_link_pages(client, name, token, post):
    path = reverse(f"newsletter:{name}", args=["TOKEN"]).replace("TOKEN", quote(token, safe=""))
    response = client.post(path, {"List-Unsubscribe": "One-Click"}) if post else client.get(path)
    assert response.status_code in (200, 400, 403, 404), response.status_code
