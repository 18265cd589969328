"""Back office of dues rules, memberships and membership requests."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members.admin.common import euros
from members.admin.forms import MembershipAdminForm
from members.imports.exports import MembershipResource
from members.models import (
    DuesRule,
    Membership,
    MembershipRequest,
    MembershipRequestStatus,
    MembershipStatus,
)
from members.selectors.memberships import membership_status, memberships_with_amounts
from members.services.billing import invoice_issue
from members.services.memberships import membership_cancel, membership_create
from portal.core.admin.base import (
    AuditTrailMixin,
    ExportFormatsMixin,
    ImportLinkMixin,
    number_column,
)
from portal.core.services import audit_log


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@admin.register(DuesRule)
class DuesRuleAdmin(ImportLinkMixin, admin.ModelAdmin):
    import_kind = "members.dues_rules"
    list_display = ["year", "category", "mode", "rate_display", "flat_amount_display"]

    rate_display = number_column("rate", _("rate per inhabitant"), money=True)
    flat_amount_display = number_column("flat_amount", _("flat amount"), money=True)
    list_filter = ["year", "category", "mode"]


# Read-only once created: shown as French writes numbers (« 62 760 », « 2 510,40 € »).
DUES_FIELDS = ("population_display", "rate_display", "dues_display", "status_display",
               "recorded_status")  # fmt: skip


class MembershipStatusFilter(admin.SimpleListFilter):
    """Filters on the derived status (annotations of memberships_with_amounts)."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return MembershipStatus.choices

    def queryset(self, request, queryset):
        active = Q(cancelled_at__isnull=True)
        invoiced = active & Q(invoiced_amount__gt=0)
        # Without an invoice, the status recorded before the portal (imported years).
        recorded = active & Q(invoiced_amount__lte=0)
        conditions = {
            MembershipStatus.CANCELLED: Q(cancelled_at__isnull=False),
            MembershipStatus.TO_INVOICE: recorded
            & Q(recorded_status__in=["", MembershipStatus.TO_INVOICE]),
            MembershipStatus.INVOICED: (invoiced & Q(paid_amount__lte=0))
            | (recorded & Q(recorded_status=MembershipStatus.INVOICED)),
            MembershipStatus.PARTLY_PAID: (
                invoiced & Q(paid_amount__gt=0, paid_amount__lt=F("invoiced_amount"))
            )
            | (recorded & Q(recorded_status=MembershipStatus.PARTLY_PAID)),
            MembershipStatus.PAID: (invoiced & Q(paid_amount__gte=F("invoiced_amount")))
            | (recorded & Q(recorded_status=MembershipStatus.PAID)),
        }
        condition = conditions.get(self.value())
        return queryset.filter(condition) if condition is not None else queryset


@admin.register(Membership)
class MembershipAdmin(AuditTrailMixin, ImportLinkMixin, ExportFormatsMixin, admin.ModelAdmin):
    form = MembershipAdminForm
    resource_classes = [MembershipResource]
    import_kind = "members.memberships"
    list_display = [
        "member_display", "year", "category", "amount_display", "status_display",
        "invoiced_display", "paid_display",
    ]  # fmt: skip
    list_filter = ["year", "category", MembershipStatusFilter]
    list_select_related = ["organisation", "person"]
    search_fields = ["organisation__name", "person__first_name", "person__last_name"]
    autocomplete_fields = ["organisation", "person"]
    actions = ["issue_invoices", "cancel_memberships"]
    readonly_after_creation = [
        "year", "category", "organisation", "person", "population_used", "rate_used", "amount",
        "recorded_status",
    ]  # fmt: skip
    computed_fields = [
        "population_display", "rate_display", "dues_display", "status_display",
        "invoices_display", "cancelled_at", "created_at",
    ]  # fmt: skip

    def get_queryset(self, request):
        return memberships_with_amounts(super().get_queryset(request))

    def get_export_queryset(self, request):
        return (
            super()
            .get_export_queryset(request)
            .select_related("organisation__department", "person__department")
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [*self.readonly_after_creation, *self.computed_fields, "audit_trail"]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": list(MembershipAdminForm.Meta.fields)})]
        return [
            (None, {"fields": ["year", "category", "organisation", "person"]}),
            (_("Dues"), {"fields": [*DUES_FIELDS]}),
            (_("Payer's references"), {"fields": ["commitment_number", "decision_reference"]}),
            (_("Invoices"), {"fields": ["invoices_display"]}),
            (_("History"), {"fields": ["created_at", "cancelled_at", "audit_trail"]}),
        ]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a membership is cancelled, never deleted

    # Columns ------------------------------------------------------------------------

    @admin.display(description=_("member"), ordering="organisation__name")
    def member_display(self, membership: Membership) -> str:
        return str(membership.member)

    @admin.display(description=_("dues"), ordering="amount")
    def amount_display(self, membership: Membership) -> str:
        return euros(membership.amount)

    population_display = number_column("population_used", _("population used"))
    rate_display = number_column("rate_used", _("rate used"), money=True)
    dues_display = number_column("amount", _("dues"), money=True)

    @admin.display(description=_("status"))
    def status_display(self, membership: Membership) -> str:
        return membership_status(membership).label

    @admin.display(description=_("invoiced"), ordering="invoiced_amount")
    def invoiced_display(self, membership: Membership) -> str:
        return euros(membership.invoiced_amount)

    @admin.display(description=_("paid"), ordering="paid_amount")
    def paid_display(self, membership: Membership) -> str:
        return euros(membership.paid_amount)

    @admin.display(description=_("invoices"))
    def invoices_display(self, membership: Membership) -> str:
        invoices = membership.invoices.select_related("credit_note").order_by("issued_on")
        if not invoices:
            return "—"
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>{}',
            (
                (
                    reverse("admin:members_invoice_change", args=[invoice.pk]),
                    invoice.number,
                    gettext(" (cancelled)") if hasattr(invoice, "credit_note") else "",
                )
                for invoice in invoices
            ),
        )

    # Saving: creation through the service, changes audited ---------------------------

    def save_model(self, request, obj: Membership, form, change: bool) -> None:
        if not change:
            created = membership_create(
                year=obj.year,
                organisation=obj.organisation,
                person=obj.person,
                category=obj.category or None,
                commitment_number=obj.commitment_number,
                decision_reference=obj.decision_reference,
                actor=request.user,
            )
            for field in Membership._meta.concrete_fields:
                setattr(obj, field.attname, getattr(created, field.attname))
            obj._state.adding = False
            return
        changed = [name for name in form.changed_data if name in form.fields]
        if not changed:
            return
        with transaction.atomic():
            obj.save(update_fields=changed)
            audit_log(
                actor=request.user,
                obj=obj,
                action="membership.changed",
                changes={name: form.cleaned_data[name] for name in changed},
            )

    # Actions ----------------------------------------------------------------------

    @admin.action(description=_("Issue the invoices of the selected memberships"),
                  permissions=["add_invoice"])  # fmt: skip
    def issue_invoices(self, request, queryset) -> None:
        issued = 0
        for membership in queryset.select_related("organisation", "person"):
            try:
                invoice = invoice_issue(membership=membership, issued_by=request.user)
            except ValidationError as error:
                self.message_user(
                    request,
                    gettext("%(membership)s: %(error)s")
                    % {"membership": membership, "error": _error_text(error)},
                    messages.ERROR,
                )
            else:
                issued += 1
                self.message_user(
                    request,
                    gettext("%(membership)s: invoice %(number)s issued.")
                    % {"membership": membership, "number": invoice.number},
                    messages.SUCCESS,
                )
        if issued:
            self.message_user(
                request,
                gettext("Invoices issued: %(count)d.") % {"count": issued},
                messages.SUCCESS,
            )

    def has_add_invoice_permission(self, request) -> bool:
        return request.user.has_perm("members.add_invoice")

    @admin.action(description=_("Cancel the selected memberships"), permissions=["change"])
    def cancel_memberships(self, request, queryset) -> None:
        for membership in queryset.filter(cancelled_at__isnull=True):
            try:
                membership_cancel(membership=membership, actor=request.user)
            except ValidationError as error:
                self.message_user(
                    request,
                    gettext("%(membership)s: %(error)s")
                    % {"membership": membership, "error": _error_text(error)},
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    gettext("%(membership)s: cancelled.") % {"membership": membership},
                    messages.SUCCESS,
                )


@admin.register(MembershipRequest)
class MembershipRequestAdmin(AuditTrailMixin, admin.ModelAdmin):
    """Requests come from the public page; staff accept or reject them."""

    list_display = [
        "__str__", "first_name", "last_name", "email", "kind", "town", "status", "created_at",
    ]  # fmt: skip
    list_filter = ["status", "kind"]
    search_fields = ["organisation_name", "first_name", "last_name", "email", "town"]
    actions = ["accept_requests", "reject_requests"]
    readonly_fields = [
        "organisation_name", "kind", "first_name", "last_name", "email", "phone", "job_title",
        "town", "message", "consent_at", "status", "handled_by", "handled_at", "membership",
        "created_at", "audit_trail",
    ]  # fmt: skip

    def get_queryset(self, request):
        # Not super(): it orders by get_ordering() before the annotation exists.
        return MembershipRequest.objects.select_related("handled_by").annotate(
            pending_first=Case(
                When(status=MembershipRequestStatus.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )

    def get_ordering(self, request):
        return ["pending_first", "-created_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def _handle(self, request, queryset, *, service_name: str, done: str) -> None:
        from members.services import requests as request_services

        service = getattr(request_services, service_name)
        for membership_request in queryset:
            if membership_request.status != MembershipRequestStatus.PENDING:
                self.message_user(
                    request,
                    gettext("%(request)s: already handled.") % {"request": membership_request},
                    messages.WARNING,
                )
                continue
            try:
                service(membership_request=membership_request, actor=request.user)
            except ValidationError as error:
                self.message_user(
                    request,
                    gettext("%(request)s: %(error)s")
                    % {"request": membership_request, "error": _error_text(error)},
                    messages.ERROR,
                )
            else:
                self.message_user(request, done % {"request": membership_request}, messages.SUCCESS)

    @admin.action(description=_("Accept the selected requests"), permissions=["change"])
    def accept_requests(self, request, queryset) -> None:
        self._handle(
            request,
            queryset,
            service_name="membership_request_accept",
            done=gettext("%(request)s: accepted."),
        )

    @admin.action(description=_("Reject the selected requests"), permissions=["change"])
    def reject_requests(self, request, queryset) -> None:
        self._handle(
            request,
            queryset,
            service_name="membership_request_reject",
            done=gettext("%(request)s: rejected."),
        )
