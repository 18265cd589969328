"""The yearly dues campaign: renew last year's members, issue their dues calls, once."""

import time
from decimal import Decimal

import pytest
from django.utils import timezone

from members.models import (
    DuesCampaign,
    DuesCampaignStatus,
    Invoice,
    Membership,
    MembershipCategory,
)
from members.services.billing import invoice_issue
from members.services.campaigns import dues_campaign_run, dues_campaign_start
from members.tasks import dues_campaign_run as dues_campaign_run_task
from tests.members.factories import (
    CityFactory,
    DuesRuleFactory,
    IndividualMembershipFactory,
    MembershipFactory,
    OrganisationFactory,
)

PREVIOUS, YEAR = 2029, 2030


@pytest.fixture
def members(db, staff_user):
    """Last year's members, in every situation a campaign meets."""
    DuesRuleFactory(year=YEAR, category=MembershipCategory.ASSOCIATION, flat_amount=Decimal("160"))
    DuesRuleFactory(year=YEAR, category=MembershipCategory.INDIVIDUAL, flat_amount=Decimal("35"))
    renewed = MembershipFactory(year=PREVIOUS).organisation
    individual = IndividualMembershipFactory(year=PREVIOUS).person
    inactive = MembershipFactory(year=PREVIOUS, organisation=OrganisationFactory(is_active=False))
    cancelled = MembershipFactory(year=PREVIOUS, cancelled_at=timezone.now())
    city_without_rule = MembershipFactory(
        year=PREVIOUS, category=MembershipCategory.CITY, organisation=CityFactory(name="Ville Z")
    ).organisation
    already_done = MembershipFactory(year=PREVIOUS).organisation
    done_membership = MembershipFactory(year=YEAR, organisation=already_done, amount=Decimal("160"))
    invoice_issue(membership=done_membership, issued_by=staff_user)
    never_member = OrganisationFactory()
    return {
        "renewed": renewed,
        "individual": individual,
        "inactive": inactive.organisation,
        "cancelled": cancelled.organisation,
        "city_without_rule": city_without_rule,
        "already_done": already_done,
        "never_member": never_member,
    }


def test_a_campaign_renews_and_invoices_last_years_members(members, staff_user):
    campaign = DuesCampaign.objects.create(year=YEAR, created_by=staff_user)
    dues_campaign_run(campaign_id=campaign.pk)

    campaign.refresh_from_db()
    assert campaign.status == DuesCampaignStatus.DONE
    assert campaign.total == 4  # inactive and cancelled members are not renewed
    assert campaign.processed == 4
    assert campaign.invoices_issued == 2
    assert campaign.finished_at is not None
    assert [error["member"] for error in campaign.errors] == ["Ville Z"]

    renewed = Membership.objects.get(year=YEAR, organisation=members["renewed"])
    assert renewed.amount == Decimal("160.00")
    assert renewed.invoices.get().issued_by == staff_user
    individual = Membership.objects.get(year=YEAR, person=members["individual"])
    assert individual.invoices.get().amount == Decimal("35.00")
    for name in ("inactive", "cancelled", "city_without_rule", "never_member"):
        assert not Membership.objects.filter(year=YEAR, organisation=members[name]).exists()
    assert Invoice.objects.filter(membership__organisation=members["already_done"]).count() == 1


def test_running_twice_or_two_campaigns_creates_nothing_twice(members, staff_user):
    first = DuesCampaign.objects.create(year=YEAR, created_by=staff_user)
    dues_campaign_run(campaign_id=first.pk)
    memberships, invoices = Membership.objects.count(), Invoice.objects.count()

    dues_campaign_run(campaign_id=first.pk)  # a finished campaign is not run again
    second = DuesCampaign.objects.create(year=YEAR, created_by=staff_user)
    dues_campaign_run(campaign_id=second.pk)

    assert Membership.objects.count() == memberships
    assert Invoice.objects.count() == invoices
    second.refresh_from_db()
    assert second.status == DuesCampaignStatus.DONE
    assert second.processed == second.total == 4
    assert second.invoices_issued == 0
    assert len(second.errors) == 1  # the city still has no rule
    first.refresh_from_db()
    assert first.invoices_issued == 2


def test_a_campaign_interrupted_midway_resumes_without_duplicates(members, staff_user):
    """A run lost with its worker (acks_late re-delivers it) finds its work half done."""
    campaign = DuesCampaign.objects.create(
        year=YEAR,
        created_by=staff_user,
        status=DuesCampaignStatus.RUNNING,
        processed=2,
        invoices_issued=1,
    )
    half_done = Membership.objects.create(
        year=YEAR, category="association", organisation=members["renewed"], amount=Decimal("160")
    )
    invoice_issue(membership=half_done, issued_by=staff_user)

    dues_campaign_run(campaign_id=campaign.pk)

    campaign.refresh_from_db()
    assert campaign.status == DuesCampaignStatus.DONE
    assert campaign.processed == campaign.total == 4
    assert campaign.invoices_issued == 2  # the one before the interruption, the individual's
    assert Membership.objects.filter(year=YEAR, organisation=members["renewed"]).count() == 1
    assert Invoice.objects.filter(membership__organisation=members["renewed"]).count() == 1


def test_start_records_the_campaign_and_enqueues_it_after_commit(
    db, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        campaign = dues_campaign_start(year=YEAR, started_by=staff_user)
    assert campaign.status == DuesCampaignStatus.QUEUED
    assert campaign.created_by == staff_user
    assert len(callbacks) == 1
    assert dues_campaign_run_task.acks_late is True


@pytest.mark.worker
def test_a_campaign_runs_in_a_real_worker(celery_worker, staff_user):
    DuesRuleFactory(year=YEAR, category=MembershipCategory.ASSOCIATION, flat_amount=Decimal("90"))
    organisations = [MembershipFactory(year=PREVIOUS).organisation for _ in range(3)]

    campaign = dues_campaign_start(year=YEAR, started_by=staff_user)

    deadline = time.monotonic() + 60
    while campaign.status not in (DuesCampaignStatus.DONE, DuesCampaignStatus.FAILED):
        assert time.monotonic() < deadline, "the worker did not finish the campaign"
        time.sleep(0.3)
        campaign.refresh_from_db()
    assert campaign.status == DuesCampaignStatus.DONE
    assert campaign.processed == campaign.total == 3
    assert campaign.invoices_issued == 3
    for organisation in organisations:
        membership = Membership.objects.get(year=YEAR, organisation=organisation)
        assert membership.invoices.get().amount == Decimal("90.00")
