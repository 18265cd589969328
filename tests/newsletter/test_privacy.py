"""A subscriber's data, found by address: export and erasure that keeps the sending figures."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import validate_email
from django.db.models import Count
from django.utils import timezone, translation

from members.models import ActorType
from newsletter import privacy
from newsletter.models import Delivery, DeliveryStatus, IssueStatus, Subscriber, SubscriberStatus
from newsletter.selectors.figures import newsletter_figures
from newsletter.selectors.subscribers import erased_address
from portal.core.subjects import DataSubject
from tests.members.factories import DepartmentFactory, PersonFactory
from tests.members.test_privacy import personal_models, traces
from tests.newsletter.factories import DeliveryFactory, IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

PLACEHOLDER = "[effacé]"
PARIS = ZoneInfo("Europe/Paris")
YEAR = timezone.localdate().year - 1
EMAIL = "leonie.vq@exemple.fr"
NEEDLES = ["Léonie", "Vasseur-Quintal", EMAIL, "Coopérative Quintal"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def subscribers():
    """Léonie (no directory record) and Gaspard, both sent last year's two issues."""
    confirmed = datetime(YEAR - 1, 11, 5, tzinfo=PARIS)
    leonie = SubscriberFactory(
        email="Leonie.VQ@exemple.fr", first_name="Léonie", last_name="Vasseur-Quintal",
        organisation="Coopérative Quintal", actor_type=ActorType.RESIDENT,
        department=DepartmentFactory(code="95"), consent_ip="192.0.2.10",
        consent_basis="Formulaire du séminaire de Léonie", confirmed_at=confirmed,
        last_event="soft: mailbox of leonie.vq@exemple.fr full",
    )  # fmt: skip
    gaspard = SubscriberFactory(
        email="gaspard@autre.fr", first_name="Gaspard", last_name="Oudinot",
        confirmed_at=confirmed,
    )  # fmt: skip
    for month in (3, 9):
        issue = IssueFactory(
            status=IssueStatus.SENT, sent_at=datetime(YEAR, month, 2, 9, tzinfo=PARIS)
        )
        for subscriber in (leonie, gaspard):
            DeliveryFactory(
                issue=issue, subscriber=subscriber, status=DeliveryStatus.SENT,
                sent_at=issue.sent_at,
            )  # fmt: skip
    Delivery.objects.filter(subscriber=leonie, issue__sent_at__month=9).update(
        status=DeliveryStatus.FAILED, error="550 5.1.1 <Leonie.VQ@exemple.fr>: unknown user"
    )
    return leonie, gaspard


def delivery_counts():
    return list(
        Delivery.objects.values("issue__number", "status")
        .annotate(n=Count("pk"))
        .order_by("issue__number", "status")
    )


def test_the_models_are_listed():
    assert personal_models("newsletter") <= set(privacy.MODELS)
    assert "newsletter.delivery" in privacy.MODELS
    assert set(privacy.KEPT) <= set(privacy.MODELS)


def test_the_export_of_a_subscriber_without_a_directory_record(subscribers):
    data = privacy.subject_data(subject=DataSubject(email=EMAIL, person=None))

    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    assert "Gaspard" not in text
    assert "gaspard@autre.fr" not in text
    [subscription] = data["Newsletter subscription"]
    assert subscription["Email"] == "Leonie.VQ@exemple.fr"
    assert subscription["Consent IP address"] == "192.0.2.10"
    assert subscription["Status"] == "Active"
    assert subscription["Type of actor"] == "Resident"
    deliveries = data["Newsletter deliveries"]
    assert [d["Status"] for d in deliveries] == ["Sent", "Failed"]
    assert all(isinstance(d["Number"], int) for d in deliveries)


def test_erasure_keeps_the_delivery_counts_and_leaves_no_trace(subscribers):
    leonie, gaspard = subscribers
    subject = DataSubject(email=EMAIL, person=None)
    before = delivery_counts()
    assert traces("newsletter", NEEDLES) != {}

    counts = privacy.subject_erase(subject=subject, placeholder=PLACEHOLDER)

    assert counts == {"newsletter.subscriber": 1, "newsletter.delivery": 1}
    assert traces("newsletter", NEEDLES) == {}
    assert delivery_counts() == before
    leonie.refresh_from_db()
    assert leonie.email.startswith("efface-")
    assert leonie.email.endswith("@efface.invalid")
    validate_email(leonie.email)
    assert (leonie.first_name, leonie.last_name, leonie.organisation) == ("", "", "")
    assert (leonie.consent_ip, leonie.consent_basis, leonie.last_event) == (None, "", "")
    assert leonie.status == SubscriberStatus.UNSUBSCRIBED
    assert leonie.unsubscribed_at is not None
    assert (leonie.actor_type, leonie.department.code) == (ActorType.RESIDENT, "95")
    error = Delivery.objects.get(subscriber=leonie, status=DeliveryStatus.FAILED).error
    assert error == "550 5.1.1 <[effacé]>: unknown user"
    gaspard.refresh_from_db()
    assert (gaspard.email, gaspard.status) == ("gaspard@autre.fr", SubscriberStatus.ACTIVE)
    assert privacy.subject_data(subject=subject) == {}


def test_the_years_newsletter_figures_are_unchanged(subscribers):
    before = newsletter_figures(year=YEAR)
    assert (before.subscribers, before.deliveries, before.delivered) == (2, 4, 3)

    privacy.subject_erase(subject=DataSubject(email=EMAIL, person=None), placeholder=PLACEHOLDER)

    assert newsletter_figures(year=YEAR) == before


def test_erasure_is_safe_to_run_twice(subscribers):
    subject = DataSubject(email=EMAIL, person=None)
    privacy.subject_erase(subject=subject, placeholder=PLACEHOLDER)
    state = list(Subscriber.objects.order_by("pk").values())

    counts = privacy.subject_erase(subject=subject, placeholder=PLACEHOLDER)

    assert counts == {"newsletter.subscriber": 0, "newsletter.delivery": 0}
    assert list(Subscriber.objects.order_by("pk").values()) == state


def test_a_bounced_subscriber_stays_bounced(subscribers):
    leonie, _gaspard = subscribers
    Subscriber.objects.filter(pk=leonie.pk).update(
        status=SubscriberStatus.BOUNCED, last_event_at=datetime(YEAR, 9, 3, tzinfo=PARIS)
    )

    privacy.subject_erase(subject=DataSubject(email=EMAIL, person=None), placeholder=PLACEHOLDER)

    leonie.refresh_from_db()
    assert (leonie.status, leonie.unsubscribed_at) == (SubscriberStatus.BOUNCED, None)
    assert leonie.last_event_at == datetime(YEAR, 9, 3, tzinfo=PARIS)


def test_a_subject_with_a_directory_record_and_two_erased_addresses_differ(subscribers):
    person = PersonFactory(first_name="Léonie", last_name="Vasseur-Quintal", email=EMAIL)
    other = SubscriberFactory(email="autre@exemple.fr")

    privacy.subject_erase(subject=DataSubject(email=EMAIL, person=person), placeholder="[x]")
    privacy.subject_erase(
        subject=DataSubject(email="autre@exemple.fr", person=None), placeholder="[x]"
    )

    erased = set(Subscriber.objects.filter(email__endswith="@efface.invalid").values_list("email"))
    assert len(erased) == 2
    other.refresh_from_db()
    assert other.email == erased_address("autre@exemple.fr")
