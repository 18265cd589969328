"""Back office of the publications: editing, preview, the editorial workflow, bulk import."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal.core.admin.base import AuditTrailMixin, ImportLinkMixin, number_column
from publications.forms import PublicationAdminForm, PublicationScheduleForm
from publications.models import Publication
from publications.services import (
    publication_publish,
    publication_save,
    publication_schedule,
    publication_withdraw,
)


def preview_url(publication: Publication) -> str | None:
    """The public page with ?preview=1 (staff see drafts there), if the page exists."""
    if publication.pk is None:
        return None
    try:
        return f"{publication.get_absolute_url()}?preview=1"
    except NoReverseMatch:
        return None


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Publication.objects.dates("published_on", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(published_on__year=int(value))
        return queryset


@admin.register(Publication)
class PublicationAdmin(ImportLinkMixin, AuditTrailMixin, admin.ModelAdmin):
    import_kind = "publications.publications"
    form = PublicationAdminForm
    list_display = ["title", "kind", "status", "published_on", "downloads", "preview_link"]
    list_filter = [
        "status", "kind", "themes", YearFilter, ("departments", admin.RelatedOnlyFieldListFilter),
    ]  # fmt: skip
    search_fields = ["title", "summary", "authors"]
    filter_horizontal = ["themes", "departments", "coproducers", "actions"]
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = [
        "thumbnail_display", "downloads", "preview_link", "created_at", "updated_at",
        "audit_trail",
    ]  # fmt: skip
    actions = ["publish_now", "schedule", "back_to_draft"]
    view_on_site = False  # the preview link replaces it: drafts need ?preview=1
    fieldsets = (
        (None, {"fields": ("title", "slug", "kind", "summary", "body")}),
        (
            _("File and media"),
            {
                "fields": (
                    "file",
                    "cover",
                    "thumbnail_display",
                    "media_url",
                    "media_file",
                    "transcript",
                ),
            },
        ),
        (
            _("Classification"),
            {"fields": ("themes", "departments", "authors", "coproducers", "actions")},
        ),
        (_("Publication"), {"fields": ("status", "published_on", "preview_link")}),
        (
            _("History"),
            {"fields": ("downloads", "created_at", "updated_at", "audit_trail")},
        ),
    )

    # Columns and read-only fields ------------------------------------------------------

    downloads = number_column("download_count", _("downloads"))

    @admin.display(description=_("preview"))
    def preview_link(self, publication: Publication) -> str:
        url = preview_url(publication)
        if url is None:
            return "—"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', url, gettext("Preview")
        )

    @admin.display(description=_("thumbnail"))
    def thumbnail_display(self, publication: Publication) -> str:
        if not publication.thumbnail:
            return "—"
        return format_html(
            '<img src="{}" alt="" width="200" loading="lazy">', publication.thumbnail.url
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        publication = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "preview_url": preview_url(publication) if publication else None,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # Saving ----------------------------------------------------------------------------

    def save_model(self, request, obj: Publication, form, change: bool) -> None:
        publication_save(
            publication=obj, actor=request.user, cover_changed="cover" in form.changed_data
        )

    # Workflow actions ------------------------------------------------------------------

    def _each(self, request, queryset, service, done_message) -> None:
        """Run `service` on each publication; `done_message(count)` reports the successes."""
        done = 0
        for publication in queryset:
            try:
                service(publication=publication, actor=request.user)
            except ValidationError as error:
                self.message_user(
                    request,
                    gettext("%(publication)s: %(error)s")
                    % {"publication": publication, "error": " ".join(error.messages)},
                    messages.ERROR,
                )
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done), messages.SUCCESS)

    @admin.action(description=_("Publish now"), permissions=["change"])
    def publish_now(self, request, queryset) -> None:
        self._each(
            request,
            queryset,
            publication_publish,
            lambda count: (
                ngettext(
                    "%(count)d publication is online.", "%(count)d publications are online.", count
                )
                % {"count": count}
            ),
        )

    @admin.action(description=_("Back to draft"), permissions=["change"])
    def back_to_draft(self, request, queryset) -> None:
        self._each(
            request,
            queryset,
            publication_withdraw,
            lambda count: (
                ngettext(
                    "%(count)d publication is back to draft.",
                    "%(count)d publications are back to draft.",
                    count,
                )
                % {"count": count}
            ),
        )

    @admin.action(description=_("Schedule"), permissions=["change"])
    def schedule(self, request, queryset):
        """An intermediate page asks for the date, then schedules every selected one."""
        form = PublicationScheduleForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            publish_on = form.cleaned_data["publish_on"]

            def service(*, publication, actor):
                return publication_schedule(
                    publication=publication, actor=actor, publish_on=publish_on
                )

            self._each(
                request,
                queryset,
                service,
                lambda count: (
                    ngettext(
                        "%(count)d publication is scheduled.",
                        "%(count)d publications are scheduled.",
                        count,
                    )
                    % {"count": count}
                ),
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Schedule publications"),
            "form": form,
            "publications": queryset,
            "action": "schedule",
            "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/publications/publication/schedule.html", context)
