"""A person with traces in every app, last year (so the year's figures are final)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from events.models import Attendance, Evaluation, Session
from infodoc.models import RequestStatus
from members.models import ActorType, Person
from members.services.billing import invoice_issue, payment_record
from newsletter.models import DeliveryStatus, IssueStatus, Subscriber
from portal.core.consent import consent_record
from portal.core.models import ConsentPurpose
from portal.core.services import audit_log
from tests.events.factories import RegistrationFactory, SessionFactory
from tests.infodoc.factories import InfoRequestFactory
from tests.members.factories import (
    DepartmentFactory,
    IndividualMembershipFactory,
    MembershipRequestFactory,
    OrganisationFactory,
    PersonFactory,
)
from tests.newsletter.factories import DeliveryFactory, IssueFactory, SubscriberFactory

YEAR = timezone.localdate().year - 1


def moment(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(YEAR, month, day, hour, tzinfo=timezone.get_current_timezone())


def sessions_of_last_year() -> list[Session]:
    return [SessionFactory(starts_at=moment(4, 10)), SessionFactory(starts_at=moment(6, 12))]


@dataclass
class Traces:
    person: Person
    subscriber: Subscriber
    sessions: list[Session]
    needles: dict[str, str] = field(default_factory=dict)  # what must be gone after erasure


def person_with_traces(
    *,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    user=None,
    sessions: list[Session] | None = None,
    actor=None,
) -> Traces:
    """A person with a membership (invoice, payment), registrations and attendances, an
    evaluation, an info-doc request, a confirmed subscription with deliveries, a request
    to join, consents, and audit entries about them."""
    department = DepartmentFactory()
    person = PersonFactory(
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        job_title="Chargée de mission cohésion sociale",
        actor_type=ActorType.COLLECTIVITY_STAFF,
        organisation=OrganisationFactory(),
        department=department,
        user=user,
    )
    full_name = f"{first_name} {last_name}"
    membership = IndividualMembershipFactory(person=person, year=YEAR)
    invoice = invoice_issue(membership=membership, issued_by=actor, issued_on=date(YEAR, 2, 1))
    payment_record(
        invoice=invoice,
        amount=invoice.amount,
        method="transfer",
        paid_on=date(YEAR, 3, 1),
        recorded_by=actor,
    )
    sessions = sessions or sessions_of_last_year()
    for session in sessions:
        RegistrationFactory(session=session, person=person)
        Attendance.objects.create(
            session=session, person=person, present=True, checked_at=session.starts_at
        )
    Evaluation.objects.create(
        session=sessions[0],
        person=person,
        satisfaction=4,
        usefulness=5,
        comments=f"Très utile. {full_name}, {phone}.",
    )
    InfoRequestFactory(
        person=person,
        received_on=date(YEAR, 5, 2),
        status=RequestStatus.ANSWERED,
        subject=f"Question de {full_name}",
        question=f"Bonjour, je suis {full_name} ({email}) : des exemples de diagnostics ?",
        answer=f"Bonjour {first_name}, voici quelques ressources.",
        actor=actor,
    )
    subscriber = SubscriberFactory(
        email=email,
        first_name=first_name,
        last_name=last_name,
        department=department,
        consent_at=moment(1, 5),
        confirmed_at=moment(1, 5),
    )
    for month in (3, 9):
        issue = IssueFactory(status=IssueStatus.SENT, sent_at=moment(month, 3))
        DeliveryFactory(
            issue=issue, subscriber=subscriber, status=DeliveryStatus.SENT, sent_at=issue.sent_at
        )
    MembershipRequestFactory(
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        message=f"Je suis {full_name}, je souhaite adhérer.",
    )
    consent_record(
        purpose=ConsentPurpose.NEWSLETTER,
        email=email,
        person=person,
        wording="J'accepte de recevoir la lettre d'information.",
        source="newsletter:subscribe",
        ip="192.0.2.7",
    )
    audit_log(
        actor=actor,
        obj=person,
        action="person.updated",
        changes={"phone": ["", phone], "email": ["", email], "note": f"Appel de {full_name}"},
    )
    if actor is not None:
        LogEntry.objects.create(
            user=actor,
            content_type=ContentType.objects.get_for_model(person),
            object_id=str(person.pk),
            object_repr=str(person),
            action_flag=CHANGE,
            change_message=f"Téléphone de {full_name} corrigé",
        )
    return Traces(
        person=person,
        subscriber=subscriber,
        sessions=sessions,
        needles={"first name": first_name, "last name": last_name, "email": email, "phone": phone},
    )
