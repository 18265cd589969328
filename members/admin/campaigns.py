"""Back office of the yearly dues campaigns: preview and start one, follow its progress
live, then see which calls were mailed and download those to deposit on Chorus Pro."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members.admin.forms import DuesCampaignStartForm
from members.models import DuesCampaign, DuesCampaignStatus
from members.selectors.campaigns import (
    campaign_chorus_invoices,
    campaign_invoices,
    campaign_preview,
    campaign_unmailed_invoices,
)
from members.services.campaigns import UNFINISHED, dues_campaign_start
from members.services.dues_calls import campaign_chorus_zip_build
from portal.core.admin.base import ReadOnlyAdmin


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
            path("<path:object_id>/chorus.zip", view(self.chorus_zip_view),
                 name="members_duescampaign_chorus_zip"),
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
        if campaign and request.user.has_perm("members.view_invoice"):
            extra_context.update(
                calls=True,
                chorus_invoices=list(campaign_chorus_invoices(campaign)),
                unmailed_invoices=list(campaign_unmailed_invoices(campaign)),
                mailed_count=campaign_invoices(campaign).filter(sent_at__isnull=False).count(),
                chorus_zip_url=reverse("admin:members_duescampaign_chorus_zip", args=[campaign.pk]),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def progress_view(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        campaign = get_object_or_404(DuesCampaign, pk=object_id)
        return JsonResponse(campaign_progress(campaign))

    def chorus_zip_view(self, request, object_id):
        """The Factur-X PDFs of the calls to deposit on Chorus Pro, as one zip."""
        if not (
            self.has_view_permission(request) and request.user.has_perm("members.view_invoice")
        ):
            raise PermissionDenied
        campaign = get_object_or_404(DuesCampaign, pk=object_id)
        data, count = campaign_chorus_zip_build(campaign=campaign)
        if not count:
            self.message_user(
                request,
                gettext("No dues call of this campaign is to be deposited on Chorus Pro."),
                messages.INFO,
            )
            return HttpResponseRedirect(
                reverse("admin:members_duescampaign_change", args=[campaign.pk])
            )
        response = HttpResponse(data, content_type="application/zip")
        name = f"chorus-pro-{campaign.year}-{campaign.pk}.zip"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def start_view(self, request):
        """The preview of the year's campaign (who gets what, what is missing), then start."""
        if not self.has_start_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = DuesCampaignStartForm(request.POST)
        else:
            form = DuesCampaignStartForm(request.GET if "year" in request.GET else None)
        year = form.cleaned_data["year"] if form.is_valid() else None
        if not form.is_bound:
            year = form.initial["year"]
        if request.method == "POST" and year is not None:
            try:
                campaign = dues_campaign_start(year=year, started_by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
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
            "year": year,
            "preview": campaign_preview(year=year) if year is not None else None,
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, "admin/members/duescampaign/start.html", context)
