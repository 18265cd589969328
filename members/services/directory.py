"""Finding or recording people from forms filled by the public (registrations, requests)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from members.models import ActorType, Organisation, Person
from portal.core.models import Department


# No savepoint of its own inside a caller's transaction (two round trips fewer for each
# public form): a caller that catches its error leaves that transaction, as all do.
@transaction.atomic(savepoint=False)
def person_match_or_create(
    *,
    email: str,
    first_name: str,
    last_name: str,
    organisation_name: str = "",
    job_title: str = "",
    phone: str = "",
    actor_type: str = ActorType.OTHER,
    department: Department | None = None,
    organisation: Organisation | None = None,
    user=None,
) -> Person:
    """The person with this email (case-insensitive), or a new one with what they typed.

    An existing person keeps their record: a form filled by anyone must not overwrite
    it; only empty fields are completed (a type of actor « other » counts as empty, so
    the report counts what the person said they are). Safe under concurrency (unique
    email). When a signed-in `user` with the same email fills the form, the person is
    linked to the account (if neither is linked yet), so it shows in their member space.
    """
    email = email.strip().lower()
    person = _by_email(email).first()
    if person is None:
        if organisation is None and organisation_name.strip():
            organisation = (
                Organisation.objects.filter(name__iexact=organisation_name.strip())
                .order_by("pk")
                .first()
            )
        candidate = Person(
            email=email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            job_title=job_title.strip(),
            phone=phone.strip(),
            actor_type=actor_type or ActorType.OTHER,
            department=department,
            organisation=organisation,
            consent_processing_at=timezone.now(),
        )
        candidate.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                candidate.save()
            person = candidate
        except IntegrityError:  # registered at the same instant by another request
            person = _by_email(email).get()
    _link_account(person, user)
    changed = []
    for field, value in (
        ("job_title", job_title.strip()),
        ("phone", phone.strip()),
        ("department", department),
        ("organisation", organisation),
    ):
        if value and not getattr(person, field):
            setattr(person, field, value)
            changed.append(field)
    if actor_type and actor_type != ActorType.OTHER and person.actor_type == ActorType.OTHER:
        person.actor_type = actor_type
        changed.append("actor_type")
    if changed:
        person.save(update_fields=[*changed, "updated_at"])
    return person


def _by_email(email: str) -> QuerySet[Person]:
    """The person with this lowercased address, looked up as the unique index on
    lower(email) holds it (without empty addresses): no scan of the directory."""
    people = Person.objects.alias(email_lower=Lower("email"))
    return people.filter(email_lower=email).exclude(email="")


def _link_account(person: Person, user) -> None:
    if (
        user is not None
        and user.is_authenticated
        and person.user_id is None
        and user.email.lower() == person.email
        and not Person.objects.filter(user=user).exists()
    ):
        person.user = user
        person.save(update_fields=["user", "updated_at"])
