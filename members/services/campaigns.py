"""The yearly dues cycle: renew last year's members, issue their dues calls, mail them.

A campaign renews each active member of `year - 1` (an organisation still active,
or an individual member) whose membership was not cancelled: it creates the
membership of `year` if there is none and issues its invoice if it has none. Both
steps check first, and the database forbids two memberships of a member in a year
and `invoice_issue` locks the membership, so running a campaign twice, or two
campaigns of the same year at once, creates nothing twice.

The members and what each gets come from the preview (members.selectors.campaigns),
the page staff read before starting. Each call issued is then mailed by its own task
(members.services.dues_calls), except those deposited on Chorus Pro.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import DuesCampaign, DuesCampaignStatus, Invoice, Membership
from members.selectors.campaigns import (
    CampaignRow,
    RowState,
    campaign_preview,
    campaign_unmailed_invoices,
)
from members.services.billing import invoice_issue
from members.services.memberships import membership_create
from portal.core.services import audit_log

logger = logging.getLogger(__name__)

UNFINISHED = (DuesCampaignStatus.QUEUED, DuesCampaignStatus.RUNNING)


@transaction.atomic
def dues_campaign_start(*, year: int, started_by) -> DuesCampaign:
    """Record a campaign for `year` and run it in the background once committed.

    Refused while a category to invoice has no dues rule for the year (the preview
    lists them), or while another campaign of the year is under way."""
    from members.tasks import dues_campaign_run as dues_campaign_run_task

    if DuesCampaign.objects.filter(year=year, status__in=UNFINISHED).exists():
        raise ValidationError(
            _("A campaign for %(year)s is already under way.") % {"year": year}, code="under_way"
        )
    missing = campaign_preview(year=year).missing_rules
    if missing:
        raise ValidationError(
            _("The campaign cannot start: no dues rule is set in %(year)s for %(categories)s.")
            % {"year": year, "categories": ", ".join(str(c.label) for c in missing)},
            code="no_rule",
        )
    campaign = DuesCampaign(year=year, created_by=started_by)
    campaign.full_clean()
    campaign.save()
    audit_log(
        actor=started_by, obj=campaign, action="dues_campaign.started", changes={"year": year}
    )
    transaction.on_commit(lambda: dues_campaign_run_task.delay(campaign.pk))
    return campaign


def _membership_of_year(previous: Membership, year: int) -> Membership | None:
    return Membership.objects.filter(
        year=year, organisation=previous.organisation_id, person=previous.person_id
    ).first()


def _member_renew(*, campaign: DuesCampaign, previous: Membership) -> Invoice | None:
    """Renew one member; the invoice if one was issued. Raises ValidationError on a problem."""
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
        return None  # cancelled, free, or invoiced already (even if since cancelled by hand)
    try:
        return invoice_issue(
            membership=membership, issued_by=campaign.created_by, campaign=campaign
        )
    except ValidationError as error:
        if error.code == "invoiced":
            return None  # issued meanwhile by a concurrent campaign
        raise


def _call_enqueue(invoice: Invoice) -> None:
    """Mail the call once committed, unless it goes to Chorus Pro (listed on the campaign)."""
    from members.tasks import invoice_call_send

    if not invoice.is_for_chorus:
        transaction.on_commit(lambda: invoice_call_send.delay(invoice.pk))


def _row_process(*, campaign: DuesCampaign, row: CampaignRow) -> Invoice | None:
    """One row of the preview: data missing is an error (the member is skipped, so that the
    others are invoiced; the campaign can be run again once it is filled in)."""
    if row.state == RowState.BLOCKED:
        raise ValidationError(_("Not invoiced: %(problems)s.") % {"problems": row.problems_text})
    if row.state != RowState.ISSUE:
        return None
    return _member_renew(campaign=campaign, previous=row.previous)


def _campaign_claim(campaign_id: int) -> tuple[DuesCampaign, list[CampaignRow]] | None:
    """Mark the campaign running (again, if it was interrupted), unless it has finished."""
    with transaction.atomic():
        campaign = DuesCampaign.objects.select_for_update().get(pk=campaign_id)
        if campaign.status not in UNFINISHED:
            return None
        rows = campaign_preview(year=campaign.year).rows
        campaign.status = DuesCampaignStatus.RUNNING
        campaign.total = len(rows)
        # A run re-delivered after its worker died starts over: what it did already is
        # found done (and its invoices stay counted), its errors are met again.
        campaign.processed = 0
        campaign.errors = []
        campaign.save(update_fields=["status", "total", "processed", "errors"])
        return campaign, rows


def dues_campaign_run(*, campaign_id: int) -> None:
    """Process every member to renew, saving the progress as it goes (see the module).

    A campaign whose every member failed ends « failed »; one with some errors is done,
    its errors listed."""
    claimed = _campaign_claim(campaign_id)
    if claimed is None:
        return
    campaign, rows = claimed
    campaigns = DuesCampaign.objects.filter(pk=campaign.pk)
    errors: list[dict[str, str]] = []
    enqueued: set[int] = set()
    try:
        for row in rows:
            invoice = None
            try:
                invoice = _row_process(campaign=campaign, row=row)
            except ValidationError as error:
                errors.append({"member": row.member, "error": " ".join(error.messages)})
                campaigns.update(errors=errors)
            if invoice is not None:
                _call_enqueue(invoice)
                enqueued.add(invoice.pk)
            campaigns.update(
                processed=F("processed") + 1,
                invoices_issued=F("invoices_issued") + (1 if invoice else 0),
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
    # A run resumed after its worker died: the calls it issued before may not be mailed.
    for invoice in campaign_unmailed_invoices(campaign).exclude(pk__in=enqueued):
        _call_enqueue(invoice)
    every_row_failed = bool(rows) and len(errors) == len(rows)
    status = DuesCampaignStatus.FAILED if every_row_failed else DuesCampaignStatus.DONE
    campaigns.update(status=status, finished_at=timezone.now())
