"""Sending controls of the issue admin: ready, schedule, start, pause, resume, cancel,
and the live progress (a JSON endpoint polled by static/js/admin_newsletter_progress.js).

Every move has a confirmation page (GET) and happens on POST, through the services
of newsletter/services/campaigns.py, which lock the issue and refuse a move the
status does not allow, with a French message.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from newsletter.models import Issue, IssueStatus
from newsletter.selectors.links import issue_dead_links, issue_dead_links_at
from newsletter.selectors.progress import issue_progress
from newsletter.selectors.segments import issue_recipients, segment_describe
from newsletter.services import campaigns


class ScheduleForm(forms.Form):
    when = forms.DateTimeField(
        label=_("Send on"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
    )


# move → (service, button label, success message)
MOVES = {
    "ready": (campaigns.issue_mark_ready, _("Mark as ready"), _("The issue is ready to send.")),
    "draft": (campaigns.issue_back_to_draft, _("Back to draft"), _("The issue is a draft again.")),
    "schedule": (campaigns.issue_schedule, _("Schedule"), _("Sending is scheduled.")),
    "unschedule": (
        campaigns.issue_unschedule, _("Unschedule"), _("Sending is no longer scheduled."),
    ),
    "start": (campaigns.issue_send_start, _("Send now"), _("Sending has started.")),
    "pause": (campaigns.issue_pause, _("Pause"), _("Sending is paused.")),
    "resume": (campaigns.issue_resume, _("Resume"), _("Sending has resumed.")),
    "cancel": (
        campaigns.issue_cancel, _("Cancel sending"),
        _("Sending is cancelled; messages already sent stay recorded."),
    ),
}  # fmt: skip


def moves_allowed(issue: Issue) -> list[tuple[str, str]]:
    """The (move, label) pairs the issue's status allows, for its change page."""
    return [
        (move, MOVES[move][1])
        for move, sources in campaigns.MOVES.items()
        if issue.status in sources
    ]


class IssueSendingMixin:
    """Adds the sending pages and the progress endpoint to IssueAdmin."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/envoi/<slug:move>/", view(self.sending_move_view),
                 name="newsletter_issue_move"),
            path("<path:object_id>/progression/", view(self.sending_progress_view),
                 name="newsletter_issue_progress"),
            *super().get_urls(),
        ]  # fmt: skip

    def sending_panel_context(self, request, issue: Issue) -> dict:
        """What templates/admin/newsletter/issue/sending_panel.html shows."""
        shows_progress = not issue.is_archived and issue.status not in (
            IssueStatus.DRAFT, IssueStatus.READY,
        )  # fmt: skip
        progress = issue_progress(issue=issue) if shows_progress else None
        can_move = self.has_change_permission(request, issue)
        before_sending = issue.is_editable and not issue.is_archived
        return {
            "segment": segment_describe(issue=issue) if before_sending else "",
            "segment_size": issue_recipients(issue=issue).count() if before_sending else None,
            "dead_links": issue_dead_links_at(issue=issue) if before_sending else [],
            "sending_moves": moves_allowed(issue) if can_move else [],
            "progress": progress,
            "progress_eta": _eta_label(progress.eta_seconds) if progress else "",
            "progress_url": reverse("admin:newsletter_issue_progress", args=[issue.pk]),
            "progress_live": issue.status == IssueStatus.SENDING,
            "deliveries_url": reverse("admin:newsletter_delivery_changelist")
            + f"?issue__id__exact={issue.pk}",
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        issue = self.get_object(request, object_id)
        if issue is not None:
            extra_context = {**(extra_context or {}), **self.sending_panel_context(request, issue)}
        return super().change_view(request, object_id, form_url, extra_context)

    def sending_move_view(self, request, object_id, move):
        if move not in MOVES:
            raise Http404
        issue = get_object_or_404(Issue, pk=object_id)
        if not self.has_change_permission(request, issue):
            raise PermissionDenied
        service, label, done = MOVES[move]
        form = ScheduleForm(request.POST or None) if move == "schedule" else None
        if request.method == "POST" and (form is None or form.is_valid()):
            extra = {"when": form.cleaned_data["when"]} if form else {}
            try:
                service(issue=issue, actor=request.user, **extra)
            except ValidationError as error:
                if form is None:
                    self.message_user(request, " ".join(error.messages), messages.ERROR)
                    return self._to_issue(issue)
                form.add_error(None, error)
            else:
                self.message_user(request, done, messages.SUCCESS)
                return self._to_issue(issue)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("%(action)s: %(issue)s") % {"action": label, "issue": issue},
            "original": issue,
            "move": move,
            "submit_label": label,
            "form": form,
            "segment": segment_describe(issue=issue),
            "segment_size": issue_recipients(issue=issue).count(),
            # What will refuse the move (a schedule is checked again at the time chosen).
            "dead_links": issue_dead_links(
                issue=issue, at=timezone.now() if move == "start" else None
            )
            if move in ("ready", "schedule", "start")
            else [],
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/newsletter/issue/move_confirm.html", context)

    def sending_progress_view(self, request, object_id):
        issue = get_object_or_404(Issue, pk=object_id)
        if not self.has_view_permission(request, issue):
            raise PermissionDenied
        progress = issue_progress(issue=issue)
        eta = progress.eta_seconds
        return JsonResponse({
            "status": issue.status,
            "status_label": issue.get_status_display(),
            "total": progress.total,
            "sent": progress.sent,
            "failed": progress.failed,
            "remaining": progress.remaining,
            "percent": progress.done_percent,
            "rate": formats.number_format(round(progress.per_second, 1), 1),
            "eta": _eta_label(eta),
            "finished": issue.status != IssueStatus.SENDING,
            "now": formats.date_format(timezone.localtime(), "H:i:s"),
        })  # fmt: skip

    def _to_issue(self, issue: Issue) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:newsletter_issue_change", args=[issue.pk]))


def _eta_label(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    minutes, seconds = divmod(seconds, 60)
    if minutes >= 60:
        return gettext("%(hours)d h %(minutes)02d min") % {
            "hours": minutes // 60, "minutes": minutes % 60,
        }  # fmt: skip
    if minutes:
        return gettext("%(minutes)d min %(seconds)02d s") % {"minutes": minutes, "seconds": seconds}
    return gettext("%(seconds)d s") % {"seconds": seconds}
