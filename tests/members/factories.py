"""factory_boy factories for the members app."""

from decimal import Decimal

import factory

from members.models import (
    ActorType,
    DuesMode,
    DuesRule,
    MembershipCategory,
    Organisation,
    OrganisationKind,
    Person,
)
from portal.core.models import Commune, Department, Epci


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = "95"
    name = "Val-d'Oise"


class EpciFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Epci
        django_get_or_create = ("siren",)

    siren = factory.Sequence(lambda n: f"2{n:08d}")
    name = factory.Sequence(lambda n: f"Communauté d'agglomération {n}")
    legal_form = "CA"


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ("insee_code",)

    insee_code = factory.Sequence(lambda n: f"95{n:03d}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    department = factory.SubFactory(DepartmentFactory)
    population = 62760
    population_year = 2021


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Association {n}")
    kind = OrganisationKind.ASSOCIATION
    address = "1 place de la Mairie"
    postcode = "95000"
    city = "Cergy"
    email = factory.Sequence(lambda n: f"contact{n}@asso.example.org")
    department = factory.SubFactory(DepartmentFactory)


class CityFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Ville {n}")
    kind = OrganisationKind.COMMUNE
    commune = factory.SubFactory(CommuneFactory)
    siret = "21920002900011"
    chorus_service_code = "SERV-FIN"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    email = factory.Sequence(lambda n: f"camille{n}@example.org")
    job_title = "Cheffe de projet politique de la ville"
    actor_type = ActorType.COLLECTIVITY_STAFF
    organisation = factory.SubFactory(OrganisationFactory)


class DuesRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DuesRule
        django_get_or_create = ("year", "category")

    year = 2026
    category = MembershipCategory.ASSOCIATION
    mode = DuesMode.FLAT
    flat_amount = Decimal("150.00")
    rate = None


class PerInhabitantRuleFactory(DuesRuleFactory):
    category = MembershipCategory.CITY
    mode = DuesMode.PER_INHABITANT
    rate = Decimal("0.0400")
    flat_amount = None


# Member space and public page (members/views/space.py) ---------------------------------------


def _this_year() -> int:
    from django.utils import timezone

    return timezone.localdate().year


def _now():
    from django.utils import timezone

    return timezone.now()


class MembershipFactory(factory.django.DjangoModelFactory):
    """An organisation's membership of this year, priced like an association."""

    class Meta:
        model = "members.Membership"

    year = factory.LazyFunction(_this_year)
    category = MembershipCategory.ASSOCIATION
    organisation = factory.SubFactory(OrganisationFactory)
    person = None
    amount = Decimal("150.00")


class IndividualMembershipFactory(MembershipFactory):
    category = MembershipCategory.INDIVIDUAL
    organisation = None
    person = factory.SubFactory(PersonFactory, organisation=None)
    amount = Decimal("30.00")


class MembershipRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "members.MembershipRequest"

    organisation_name = factory.Sequence(lambda n: f"Association des habitants {n}")
    kind = OrganisationKind.ASSOCIATION
    first_name = "Nadia"
    last_name = factory.Sequence(lambda n: f"Benali{n}")
    email = factory.Sequence(lambda n: f"nadia{n}@habitants.example.org")
    phone = "01 34 00 00 00"
    job_title = "Présidente"
    town = "Sarcelles"
    consent_at = factory.LazyFunction(_now)
