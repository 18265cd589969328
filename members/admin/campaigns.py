"""Back office of the yearly dues campaigns: start one, follow its progress live."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members.admin_forms import DuesCampaignStartForm
from members.models import DuesCampaign, DuesCampaignStatus
from members.services.campaigns import dues_campaign_start
from portal.core.admin_base import ReadOnlyAdmin

UNFINISHED = (DuesCampaignStatus.QUEUED, DuesCampaignStatus.RUNNING)


def campaign_progress(campaign: DuesCampaign) -> dict:
    return {
        "status": campaign.status,
        "status_label": str(campaign.get_status_display()),
        "finished": campaign.status not in UNFINISHED,
        "total": campaign.total,
        "processed": campaign.processed,
        "percent": 0 if campaign.status == DuesCampaignStatus.QUEUED else campaign.percent,
        "invoices_issued": campaign.invoices_issued,
        "errors": campaign.errors,
    }


@admin.register(DuesCampaign)
class DuesCampaignAdmin(ReadOnlyAdmin):
    """Read-only: campaigns are started from the changelist's button and run by a task."""

    list_display = [
        "year", "status", "progress_display", "invoices_issued", "errors_count", "created_by",
        "created_at", "finished_at",
    ]  # fmt: skip
    list_filter = ["year", "status"]
    list_select_related = ["created_by"]
    fields = [
        "year", "status", "total", "processed", "invoices_issued", "created_by", "created_at",
        "finished_at", "errors_display",
    ]  # fmt: skip
    readonly_fields = ["errors_display"]

    def has_start_permission(self, request) -> bool:
        return request.user.has_perm("members.add_duescampaign") and request.user.has_perm(
            "members.add_invoice"
        )

    @admin.display(description=_("progress"))
    def progress_display(self, campaign: DuesCampaign) -> str:
        return f"{campaign.processed}/{campaign.total} ({campaign.percent} %)"

    @admin.display(description=_("errors"))
    def errors_count(self, campaign: DuesCampaign) -> int:
        return len(campaign.errors)

    @admin.display(description=_("errors"))
    def errors_display(self, campaign: DuesCampaign) -> str:
        if not campaign.errors:
            return "—"
        items = format_html_join(
            "\n",
            "<li>{}{}</li>",
            (
                (f"{error['member']} : " if error.get("member") else "", error.get("error", ""))
                for error in campaign.errors
            ),
        )
        return format_html("<ul>{}</ul>", items)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("start/", view(self.start_view), name="members_duescampaign_start"),
            path("<path:object_id>/progress.json", view(self.progress_view),
                 name="members_duescampaign_progress"),
            *super().get_urls(),
        ]  # fmt: skip

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_start": self.has_start_permission(request)}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        campaign = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "progress": campaign_progress(campaign) if campaign else None,
            "progress_url": reverse("admin:members_duescampaign_progress", args=[object_id]),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def progress_view(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        campaign = get_object_or_404(DuesCampaign, pk=object_id)
        return JsonResponse(campaign_progress(campaign))

    def start_view(self, request):
        if not self.has_start_permission(request):
            raise PermissionDenied
        form = DuesCampaignStartForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            year = form.cleaned_data["year"]
            if DuesCampaign.objects.filter(year=year, status__in=UNFINISHED).exists():
                form.add_error(
                    "year",
                    gettext("A campaign for %(year)s is already under way.") % {"year": year},
                )
            else:
                campaign = dues_campaign_start(year=year, started_by=request.user)
                self.message_user(
                    request,
                    gettext("The dues calls of %(year)s are being issued.") % {"year": year},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:members_duescampaign_change", args=[campaign.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Issue next year's dues calls"),
            "form": form,
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, "admin/members/duescampaign/start.html", context)
