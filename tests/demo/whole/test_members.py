from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from members.models import Invoice, Membership, MembershipStatus, Organisation, Person
from members.selectors.memberships import membership_status, memberships_with_amounts

# What the demo loads depends on the day: a fixed, ordinary instant.
NOW = datetime(2026, 11, 18, 14, 0, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_demo_members_cover_every_status_and_load_once():
    call_command("load_demo")
    counts = (Organisation.objects.count(), Membership.objects.count(), Invoice.objects.count())
    call_command("load_demo")
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
