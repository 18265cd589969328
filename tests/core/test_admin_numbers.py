"""The back office writes numbers as French does, the same way in lists and read-only
fields: « 62 760 », « 2 510,40 € »; years and keys stay as they are."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.members.factories import CommuneFactory, DuesRuleFactory, MembershipFactory

pytestmark = pytest.mark.django_db
NNBSP = "\u202f"


def test_a_population_reads_grouped_in_the_list_and_the_read_only_page(staff_client):
    commune = CommuneFactory(population=62760, population_year=2021)
    listed = staff_client.get(reverse("admin:core_commune_changelist")).content.decode()
    assert f"62{NNBSP}760" in listed
    assert ">2021<" in listed  # a year is not a quantity
    # The team reads the communes without changing them: every field is read-only.
    page = staff_client.get(reverse("admin:core_commune_change", args=[commune.pk]))
    assert f'<div class="readonly">62{NNBSP}760</div>' in page.content.decode()
    assert '<div class="readonly">2021</div>' in page.content.decode()


def test_amounts_read_in_euros_in_the_lists_and_once_created(staff_client):
    DuesRuleFactory(year=2026, flat_amount=Decimal("2510.40"))
    listed = staff_client.get(reverse("admin:members_duesrule_changelist")).content.decode()
    assert f"2{NNBSP}510,40\u00a0€" in listed
    membership = MembershipFactory(amount=Decimal("2510.40"), population_used=20980)
    page = staff_client.get(reverse("admin:members_membership_change", args=[membership.pk]))
    text = page.content.decode()
    assert f"2{NNBSP}510,40\u00a0€" in text
    assert f"20{NNBSP}980" in text
