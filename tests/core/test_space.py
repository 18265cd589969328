"""The member space's guard (portal.core.space), shared by every app's member-space pages."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from portal.core.space import user_person
from tests.members.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_user_person_reads_the_record_with_its_organisation_in_one_query(
    member_user, django_assert_num_queries
):
    person = PersonFactory(user=member_user, organisation=OrganisationFactory(name="Ville A"))

    with django_assert_num_queries(1):
        found = user_person(member_user)
        assert found.organisation.name == "Ville A"
    assert found == person


def test_user_person_is_none_without_a_record_or_signed_out(member_user):
    assert user_person(member_user) is None
    assert user_person(AnonymousUser()) is None


def test_an_account_without_a_record_gets_404_when_it_posts(client, member_user):
    client.force_login(member_user)

    page = client.get(reverse("members:space_details"))
    posted = client.post(reverse("members:space_details"), {"first_name": "Nina"})

    assert "members/space_unlinked.html" in [t.name for t in page.templates]
    assert posted.status_code == 404
