"""The members demo: every membership status, the demo login's city, loaded once."""

import pytest
from django.utils import timezone

from demo import members as members_demo
from members.models import Invoice, Membership, MembershipStatus, Organisation, Person
from members.selectors.memberships import membership_status, memberships_with_amounts


@pytest.mark.django_db
def test_demo_members_cover_every_status_and_load_once(whole_demo):
    counts = (Organisation.objects.count(), Membership.objects.count(), Invoice.objects.count())
    members_demo.load_demo()
    assert (Organisation.objects.count(), Membership.objects.count(), Invoice.objects.count()) == (
        counts
    )
    members = Organisation.objects.filter(memberships__isnull=False).distinct()
    assert members.filter(kind="commune").count() == 31  # the 30 of 2023, and Antony
    assert members.filter(kind="association").count() == 15
    assert Person.objects.filter(memberships__isnull=False).distinct().count() == 9

    year = timezone.localdate().year
    statuses = {membership_status(m) for m in memberships_with_amounts().filter(year=year)}
    assert statuses == set(MembershipStatus)

    member = Person.objects.get(user__email="membre@demo.test")
    assert member.organisation.kind == "commune"
    membership = member.organisation.memberships.get(year=year)
    invoice = Invoice.objects.get(membership=membership)
    assert invoice.is_facturx
    assert invoice.amount == membership.amount
