"""factory_boy factories for the events app."""

from datetime import timedelta

import factory
from django.utils import timezone

from events.models import Action, ActionFormat, ActionStatus, Registration, Session
from tests.members.factories import PersonFactory


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    title = factory.Sequence(lambda n: f"Groupe d'échanges des chefs de projet {n}")
    slug = factory.Sequence(lambda n: f"groupe-echanges-{n}")
    summary = "Un temps d'échanges entre pairs."
    format = ActionFormat.PEER_GROUP
    status = ActionStatus.PUBLISHED
    is_public = True


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    action = factory.SubFactory(ActionFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + timedelta(hours=3))
    venue = "Maison de quartier"
    address = "1 place de la République, 95000 Cergy"
    capacity = 30


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    session = factory.SubFactory(SessionFactory)
    person = factory.SubFactory(PersonFactory)
    status = "confirmed"
