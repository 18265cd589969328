"""Back office of the resource catalogue and of the loans of the documentary space.

Loans are created and returned through `infodoc.services.loans`, so the refusals
(resource not lendable, already lent) are the service's messages, and each change is audited.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from infodoc.models import Loan, Resource
from infodoc.services.loans import loan_create, loan_return


def _open_loans():
    return Loan.objects.filter(resource=OuterRef("pk"), returned_on__isnull=True)


class OnLoanFilter(admin.SimpleListFilter):
    title = _("on loan")
    parameter_name = "on_loan"

    def lookups(self, request, model_admin):
        return [("yes", _("On loan")), ("no", _("Available"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(Exists(_open_loans()))
        if self.value() == "no":
            return queryset.filter(~Exists(_open_loans()))
        return queryset


class LoanInline(admin.TabularInline):
    """The loans of a resource, read only: lend with the « Lend » link (service rules)."""

    model = Loan
    fields = ["person", "lent_on", "due_on", "returned_on", "reminder_sent_at"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "publisher", "year", "kind", "is_lendable", "on_loan"]
    list_filter = ["kind", "themes", "is_lendable", OnLoanFilter]
    search_fields = ["title", "author", "publisher"]
    filter_horizontal = ["themes"]
    readonly_fields = ["created_at", "lend_link"]
    fields = [
        "title", ("author", "publisher", "year"), ("kind", "url"), "description", "themes",
        ("is_lendable", "lend_link"), "created_at",
    ]  # fmt: skip
    inlines = [LoanInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(is_on_loan=Exists(_open_loans()))

    @admin.display(boolean=True, description=_("on loan"), ordering="is_on_loan")
    def on_loan(self, obj) -> bool:
        return obj.is_on_loan

    @admin.display(description=_("loan"))
    def lend_link(self, obj) -> str:
        if obj.pk is None or not obj.is_lendable:
            return "—"
        url = reverse("admin:infodoc_loan_add") + f"?resource={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, gettext("Lend this resource"))


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.filter(returned_on__isnull=True, due_on__lt=today)
        if self.value() == "no":
            return queryset.exclude(returned_on__isnull=True, due_on__lt=today)
        return queryset


class ReturnedFilter(admin.SimpleListFilter):
    title = _("returned")
    parameter_name = "returned"

    def lookups(self, request, model_admin):
        return [("yes", _("Returned")), ("no", _("Not returned"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(returned_on__isnull=self.value() == "no")
        return queryset


class LoanAddForm(forms.ModelForm):
    class Meta:
        model = Loan
        fields = ["resource", "person", "lent_on", "due_on"]

    def clean(self):
        cleaned = super().clean()
        resource = cleaned.get("resource")
        if resource is not None and not resource.is_lendable:
            raise ValidationError(
                gettext("« %(title)s » cannot be lent: it is for consultation only.")
                % {"title": resource.title}
            )
        return cleaned


@admin.register(Loan)
class LoanAdmin(admin.ModelAdmin):
    list_display = ["resource", "person", "lent_on", "due_on", "returned_on", "is_overdue"]
    list_filter = [OverdueFilter, ReturnedFilter]
    list_select_related = ["resource", "person"]
    search_fields = ["resource__title", "person__last_name", "person__first_name"]
    autocomplete_fields = ["resource", "person"]
    date_hierarchy = "lent_on"
    actions = ["mark_returned"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = LoanAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["resource", "person", "lent_on", "due_on"]
        return ["resource", "person", "lent_on", "due_on", "returned_on", "reminder_sent_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["resource", "person", "lent_on", "returned_on", "reminder_sent_at"]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("lent_on", timezone.localdate())
        return initial

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        loan = loan_create(
            resource=obj.resource,
            person=obj.person,
            due_on=obj.due_on,
            lent_on=obj.lent_on,
            actor=request.user,
        )
        obj.pk = loan.pk

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @admin.display(boolean=True, description=_("overdue"))
    def is_overdue(self, obj) -> bool:
        return obj.returned_on is None and obj.due_on < timezone.localdate()

    @admin.action(description=_("Mark returned (today)"))
    def mark_returned(self, request, queryset):
        returned = 0
        for loan in queryset.filter(returned_on__isnull=True):
            try:
                loan_return(loan=loan, actor=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.WARNING)
                continue
            returned += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d loan marked returned.", "%(count)d loans marked returned.", returned
            )
            % {"count": returned},
            messages.SUCCESS,
        )
