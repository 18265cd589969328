"""Back office of the answers to the questionnaires: read-only, with a summary page
per action and per year."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events.admin.registrations import PersonColumnsMixin
from events.models import Evaluation
from events.selectors.evaluations import (
    evaluation_summaries_by_action,
    evaluation_summary,
    evaluation_years,
)
from portal.core.admin.base import ReadOnlyAdmin


@admin.register(Evaluation)
class EvaluationAdmin(PersonColumnsMixin, ReadOnlyAdmin):
    list_display = [
        "session", "person_display", "satisfaction", "usefulness", "has_comments",
        "submitted_at",
    ]  # fmt: skip
    list_filter = [
        "satisfaction", "usefulness", ("session__starts_at", admin.DateFieldListFilter),
    ]  # fmt: skip
    list_select_related = ["person", "session__action"]
    search_fields = ["session__action__title", "person__last_name", "comments"]
    date_hierarchy = "submitted_at"
    fields = ["session", "person", "satisfaction", "usefulness", "comments", "submitted_at"]

    @admin.display(description=_("comments"), boolean=True)
    def has_comments(self, evaluation: Evaluation) -> bool:
        return bool(evaluation.comments)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("summary/", view(self.summary_view), name="events_evaluation_summary"),
            *super().get_urls(),
        ]

    def summary_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        years = evaluation_years()
        try:
            year = int(request.GET.get("year", ""))
        except ValueError:
            year = years[0] if years else timezone.localdate().year
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Questionnaire answers in %(year)s") % {"year": year},
            "year": year,
            "years": years,
            "total": evaluation_summary(year=year),
            "summaries": evaluation_summaries_by_action(year=year),
            "scores": [1, 2, 3, 4, 5],
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/events/evaluation/summary.html", context)
