"""Forms of the members back office: intermediate action pages, membership, export."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import (
    DuesMode,
    DuesRule,
    Membership,
    MembershipCategory,
    PaymentMethod,
)
from members.services.memberships import membership_category_for


class PaymentRecordForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount (€)"), max_digits=10, decimal_places=2, min_value=Decimal("0.01")
    )
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    paid_on = forms.DateField(
        label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        help_text=_("Cheque number, transfer label or mandate reference."),
    )


class CreditNoteForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Printed on the credit note."),
    )


class SalesJournalForm(forms.Form):
    """The period of the sales journal; last year by default, as the accountant closes it."""

    start = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("To (included)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise ValidationError(_("The end of the period comes before its start."))
        if start and end and (end - start).days > 3 * 366:
            raise ValidationError(_("Choose a period of three years at most."))
        return data


class DuesCampaignStartForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year of the dues calls"),
        min_value=2000,
        max_value=2100,
        help_text=_(
            "Renews every active member of the previous year and issues its dues call; "
            "members already renewed or invoiced are left as they are."
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"year": timezone.localdate().year + 1})
        super().__init__(*args, **kwargs)


class MembershipAdminForm(forms.ModelForm):
    """Creation of a membership: the category defaults from the organisation's kind,
    and the dues must be computable (a rule for the year, a population if per inhabitant)."""

    class Meta:
        model = Membership
        fields = [
            "year", "organisation", "person", "category", "commitment_number",
            "decision_reference",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "category" in self.fields:
            self.fields["category"].required = False
            self.fields["category"].help_text = _(
                "Leave empty to use the category of the organisation's kind."
            )
        if "year" in self.fields and not self.instance.pk:
            self.fields["year"].initial = timezone.localdate().year

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            return cleaned
        organisation = cleaned.get("organisation")
        person = cleaned.get("person")
        year = cleaned.get("year")
        if not cleaned.get("category") and (organisation or person):
            cleaned["category"] = membership_category_for(organisation=organisation)
        category = cleaned.get("category")
        if not (year and category):
            return cleaned
        rule = DuesRule.objects.filter(year=year, category=category).first()
        if rule is None:
            raise ValidationError(
                _("No dues rule is set for %(category)s in %(year)s: add it first."),
                params={"category": MembershipCategory(category).label, "year": year},
            )
        if rule.mode == DuesMode.PER_INHABITANT and (
            organisation is None or organisation.population() is None
        ):
            raise ValidationError(
                _(
                    "These dues are per inhabitant: give the organisation a commune "
                    "or a number of inhabitants first."
                )
            )
        return cleaned
