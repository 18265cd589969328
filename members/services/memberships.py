"""Creating and cancelling yearly memberships, priced by the dues rules."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import (
    CATEGORY_BY_KIND,
    DuesMode,
    DuesRule,
    Membership,
    MembershipCategory,
    Organisation,
    Person,
)
from portal.core.services import audit_log


def membership_category_for(*, organisation: Organisation | None) -> MembershipCategory:
    if organisation is None:
        return MembershipCategory.INDIVIDUAL
    return CATEGORY_BY_KIND.get(organisation.kind, MembershipCategory.OTHER)


@transaction.atomic
def membership_create(
    *,
    year: int,
    organisation: Organisation | None = None,
    person: Person | None = None,
    category: MembershipCategory | None = None,
    commitment_number: str = "",
    decision_reference: str = "",
    actor=None,
) -> Membership:
    """A membership for `year`, its dues computed by that year's rule and frozen on it."""
    category = category or membership_category_for(organisation=organisation)
    rule = DuesRule.objects.filter(year=year, category=category).first()
    if rule is None:
        raise ValidationError(
            _("No dues rule is set for %(category)s in %(year)s."),
            params={"category": MembershipCategory(category).label, "year": year},
            code="no_rule",
        )
    population = None
    if rule.mode == DuesMode.PER_INHABITANT:
        population = organisation.population() if organisation else None
        if population is None:
            raise ValidationError(
                _("%(member)s has no population: set its commune or its inhabitants."),
                params={"member": organisation or person},
                code="population",
            )
    membership = Membership(
        year=year,
        category=category,
        organisation=organisation,
        person=person,
        population_used=population,
        rate_used=rule.rate,
        amount=rule.amount_for(population),
        commitment_number=commitment_number,
        decision_reference=decision_reference,
    )
    membership.full_clean()
    membership.save()
    audit_log(
        actor=actor,
        obj=membership,
        action="membership.created",
        changes={"amount": membership.amount, "population": population, "rate": rule.rate},
    )
    return membership


@transaction.atomic
def membership_cancel(*, membership: Membership, actor, reason: str = "") -> Membership:
    """Cancel a membership that has no invoice left standing (cancel invoices by credit note)."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.invoices.filter(credit_note__isnull=True).exists():
        raise ValidationError(
            _("Cancel the invoice of this membership with a credit note first."), code="invoiced"
        )
    membership.cancelled_at = timezone.now()
    membership.save(update_fields=["cancelled_at"])
    audit_log(
        actor=actor, obj=membership, action="membership.cancelled", changes={"reason": reason}
    )
    return membership
