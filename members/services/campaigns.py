"""The yearly dues cycle: renew last year's members and issue their dues calls.

A campaign renews each active member of `year - 1` (an organisation still active,
or an individual member) whose membership was not cancelled: it creates the
membership of `year` if there is none and issues its invoice if it has none. Both
steps check first, and the database forbids two memberships of a member in a year
and `invoice_issue` locks the membership, so running a campaign twice, or two
campaigns of the same year at once, creates nothing twice.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import DuesCampaign, DuesCampaignStatus, Membership
from members.services.billing import invoice_issue
from members.services.memberships import membership_create
from portal.core.services import audit_log

logger = logging.getLogger(__name__)


@transaction.atomic
def dues_campaign_start(*, year: int, started_by) -> DuesCampaign:
    """Record a campaign for `year` and run it in the background once committed."""
    from members.tasks import dues_campaign_run as dues_campaign_run_task

    campaign = DuesCampaign(year=year, created_by=started_by)
    campaign.full_clean()
    campaign.save()
    audit_log(
        actor=started_by, obj=campaign, action="dues_campaign.started", changes={"year": year}
    )
    transaction.on_commit(lambda: dues_campaign_run_task.delay(campaign.pk))
    return campaign


def campaign_memberships_to_renew(*, year: int):
    """Last year's memberships to renew: not cancelled, of an active organisation or a person."""
    return (
        Membership.objects.filter(year=year - 1, cancelled_at__isnull=True)
        .filter(Q(organisation__is_active=True) | Q(person__isnull=False))
        .select_related("organisation__commune", "person")
        .order_by("pk")
    )


def _membership_of_year(previous: Membership, year: int) -> Membership | None:
    return Membership.objects.filter(
        year=year, organisation=previous.organisation_id, person=previous.person_id
    ).first()


def _member_renew(*, campaign: DuesCampaign, previous: Membership) -> bool:
    """Renew one member; True if an invoice was issued. Raises ValidationError on a problem."""
    year = campaign.year
    membership = _membership_of_year(previous, year)
    if membership is None:
        try:
            membership = membership_create(
                year=year,
                organisation=previous.organisation,
                person=previous.person if previous.organisation_id is None else None,
                category=previous.category,
                actor=campaign.created_by,
            )
        except (ValidationError, IntegrityError):
            # Created meanwhile by a concurrent campaign? Then carry on with it.
            membership = _membership_of_year(previous, year)
            if membership is None:
                raise
    if membership.cancelled_at or membership.amount <= 0 or membership.invoices.exists():
        return False  # cancelled, free, or invoiced already (even if since cancelled by hand)
    try:
        invoice_issue(membership=membership, issued_by=campaign.created_by)
    except ValidationError as error:
        if error.code == "invoiced":
            return False  # issued meanwhile by a concurrent campaign
        raise
    return True


def _campaign_claim(campaign_id: int) -> DuesCampaign | None:
    """Mark the campaign running (again, if it was interrupted), unless it has finished."""
    with transaction.atomic():
        campaign = DuesCampaign.objects.select_for_update().get(pk=campaign_id)
        if campaign.status in (DuesCampaignStatus.DONE, DuesCampaignStatus.FAILED):
            return None
        total = campaign_memberships_to_renew(year=campaign.year).count()
        campaign.status = DuesCampaignStatus.RUNNING
        campaign.total = total
        # A run re-delivered after its worker died starts over: what it did already is
        # found done (and its invoices stay counted), its errors are met again.
        campaign.processed = 0
        campaign.errors = []
        campaign.save(update_fields=["status", "total", "processed", "errors"])
        return campaign


def dues_campaign_run(*, campaign_id: int) -> None:
    """Process every member to renew, saving the progress as it goes (see the module)."""
    campaign = _campaign_claim(campaign_id)
    if campaign is None:
        return
    campaigns = DuesCampaign.objects.filter(pk=campaign.pk)
    errors: list[dict[str, str]] = []
    try:
        for previous in campaign_memberships_to_renew(year=campaign.year).iterator(chunk_size=200):
            issued = False
            try:
                issued = _member_renew(campaign=campaign, previous=previous)
            except ValidationError as error:
                errors.append({"member": str(previous.member), "error": " ".join(error.messages)})
                campaigns.update(errors=errors)
            campaigns.update(
                processed=F("processed") + 1,
                invoices_issued=F("invoices_issued") + (1 if issued else 0),
            )
    except Exception as error:
        logger.exception("Dues campaign %s failed.", campaign.pk)
        errors.append(
            {"member": "", "error": _("The campaign stopped: %(error)s") % {"error": error}}
        )
        campaigns.update(
            status=DuesCampaignStatus.FAILED, errors=errors, finished_at=timezone.now()
        )
        raise
    campaigns.update(status=DuesCampaignStatus.DONE, finished_at=timezone.now())
