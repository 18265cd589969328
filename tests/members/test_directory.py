import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from members.models import Organisation, OrganisationKind, Person
from portal.core.models import Commune
from tests.members.factories import CityFactory, CommuneFactory, OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_person_email_is_unique_whatever_its_case():
    PersonFactory(email="camille.martin@example.org")
    duplicate = Person(first_name="C", last_name="M", email="Camille.Martin@Example.org")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "email" in str(error.value) or "__all__" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(first_name="C", last_name="M", email="CAMILLE.MARTIN@example.org")


def test_people_without_email_are_allowed_several_times():
    PersonFactory(email="")
    PersonFactory(email="")
    assert Person.objects.filter(email="").count() == 2


@pytest.mark.parametrize("field", ["siret", "email"])
def test_invalid_siret_and_email_are_refused(field):
    organisation = OrganisationFactory.build(
        **{field: {"siret": "12345678901234", "email": "pas-un-email"}[field]}
    )
    organisation.department.save()
    with pytest.raises(ValidationError) as error:
        organisation.full_clean()
    assert field in error.value.message_dict


def test_a_negative_population_is_refused():
    commune = CommuneFactory.build(population=-1)
    commune.department.save()
    with pytest.raises(ValidationError) as error:
        commune.full_clean()
    assert "population" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Commune.objects.filter(pk=CommuneFactory().pk).update(population=-5)


def test_population_comes_from_the_commune_unless_overridden():
    city = CityFactory(commune=CommuneFactory(population=12000))
    assert city.population() == 12000
    city.inhabitants = 12500
    assert city.population() == 12500
    assert city.is_public_body
    assert not Organisation(kind=OrganisationKind.ASSOCIATION).is_public_body


def test_a_city_takes_the_departement_of_its_commune():
    commune = CommuneFactory()
    city = Organisation(name="Ville", kind=OrganisationKind.COMMUNE, commune=commune)
    city.full_clean()
    assert city.department_id == commune.department_id


def test_a_signed_in_registrant_is_linked_to_their_person(make_user):
    from members.services.directory import person_match_or_create

    user = make_user("nadia@example.org")
    person = person_match_or_create(
        email="Nadia@Example.org", first_name="Nadia", last_name="B", user=user
    )
    assert person.user == user
    other = make_user("other@example.org")
    assert (
        person_match_or_create(
            email="nadia@example.org", first_name="N", last_name="B", user=other
        ).user
        == user
    )  # someone else's form never takes the person over


def test_a_form_finds_the_person_whatever_the_case_of_their_address():
    from members.services.directory import person_match_or_create

    known = PersonFactory(email="Nadia.Benali@Example.org", first_name="Nadia")
    PersonFactory(email="")  # a person without an address is never the one found
    person = person_match_or_create(
        email=" NADIA.benali@example.org ", first_name="N", last_name="B"
    )
    assert person == known
    assert person.first_name == "Nadia"  # the record is kept as it was
