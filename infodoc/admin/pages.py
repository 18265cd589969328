"""The pages of one info-doc request: send the answer, publish it, workflow buttons."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from infodoc.admin.forms import InfoRequestPublishForm
from infodoc.models import TRANSITIONS, InfoRequest, RequestStatus
from infodoc.services.answers import (
    PUBLISHABLE,
    answer_body,
    info_request_answer_preview,
    info_request_answer_send,
    info_request_publish,
)
from infodoc.services.requests import info_request_assign

# Moves offered as buttons; « answered » is reached by sending the answer.
BUTTON_STATUSES = (RequestStatus.IN_PROGRESS, RequestStatus.NO_FOLLOW_UP, RequestStatus.CLOSED)


class InfoRequestPagesMixin:
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/answer/", view(self.answer_view),
                 name="infodoc_inforequest_answer"),
            path("<path:object_id>/publish/", view(self.publish_view),
                 name="infodoc_inforequest_publish"),
            path("<path:object_id>/unpublish/", view(require_POST(self.unpublish_view)),
                 name="infodoc_inforequest_unpublish"),
            path("<path:object_id>/assign-to-me/", view(require_POST(self.assign_to_me_view)),
                 name="infodoc_inforequest_assign_to_me"),
            path("<path:object_id>/status/<str:to_status>/",
                 view(require_POST(self.transition_view)),
                 name="infodoc_inforequest_transition"),
            *super().get_urls(),
        ]  # fmt: skip

    def _request_or_404(self, request, object_id) -> InfoRequest:
        obj = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def _to_change(self, obj: InfoRequest) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:infodoc_inforequest_change", args=[obj.pk]))

    def _page(self, request, obj: InfoRequest, template: str, title: str, **context):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "original": obj,
            "has_view_permission": True,
            **context,
        }
        return TemplateResponse(request, f"admin/infodoc/inforequest/{template}", context)

    def answer_view(self, request, object_id):
        obj = self._request_or_404(request, object_id)
        if request.method == "POST":
            try:
                info_request_answer_send(request=obj, actor=request.user)
            except ValidationError as error:
                self.message_user(
                    request,
                    gettext("%(reference)s: %(error)s")
                    % {"reference": obj.reference, "error": " ".join(error.messages)},
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    gettext("%(reference)s: the answer was sent to %(email)s.")
                    % {"reference": obj.reference, "email": obj.person.email},
                    messages.SUCCESS,
                )
            return self._to_change(obj)
        problems = []
        if obj.status != RequestStatus.IN_PROGRESS:
            problems.append(
                gettext("Only a request in progress can be answered; this one is « %(status)s ».")
                % {"status": obj.get_status_display()}
            )
        if not answer_body(request=obj):
            problems.append(gettext("Write the answer before sending it."))
        if not obj.person.email:
            problems.append(
                gettext("The requester has no email address: the answer cannot be sent.")
            )
        return self._page(
            request,
            obj,
            "answer_confirm.html",
            gettext("Send the answer to %(reference)s") % {"reference": obj.reference},
            problems=problems,
            email_text=info_request_answer_preview(request=obj, actor=request.user),
            attachments=obj.attachments.order_by("pk"),
            publications=obj.publications.order_by("title"),
            resources=obj.resources.order_by("title"),
        )

    def publish_view(self, request, object_id):
        obj = self._request_or_404(request, object_id)
        if request.method == "POST":
            form = InfoRequestPublishForm(request.POST)
            if form.is_valid():
                try:
                    info_request_publish(request=obj, actor=request.user, **form.cleaned_data)
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    self.message_user(
                        request,
                        gettext("%(reference)s is published as a question and answer.")
                        % {"reference": obj.reference},
                        messages.SUCCESS,
                    )
                    return self._to_change(obj)
        else:
            form = InfoRequestPublishForm(
                initial={
                    "public_question": obj.public_question or obj.question,
                    "public_answer": obj.public_answer or answer_body(request=obj),
                }
            )
        problems = []
        if obj.status not in PUBLISHABLE:
            problems.append(
                gettext(
                    "Only an answered or closed request can be published; "
                    "this one is « %(status)s »."
                )
                % {"status": obj.get_status_display()}
            )
        return self._page(
            request,
            obj,
            "publish_form.html",
            gettext("Publish %(reference)s as a question and answer")
            % {"reference": obj.reference},
            form=form,
            problems=problems,
        )

    def unpublish_view(self, request, object_id):
        obj = self._request_or_404(request, object_id)
        self._unpublish_one(request, obj)
        return self._to_change(obj)

    def assign_to_me_view(self, request, object_id):
        obj = self._request_or_404(request, object_id)
        info_request_assign(request=obj, assignee=request.user, actor=request.user)
        self.message_user(
            request,
            gettext("%(reference)s is assigned to you.") % {"reference": obj.reference},
            messages.SUCCESS,
        )
        return self._to_change(obj)

    def transition_view(self, request, object_id, to_status):
        obj = self._request_or_404(request, object_id)
        if to_status not in RequestStatus.values:
            raise Http404
        self._transition_rows(request, [obj], to_status)
        return self._to_change(obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Workflow buttons for the moves the current status allows."""
        obj = self.get_object(request, object_id)
        if obj is not None and self.has_change_permission(request, obj):
            allowed = TRANSITIONS[obj.status]
            extra_context = {
                **(extra_context or {}),
                "status_buttons": [
                    (status, RequestStatus(status).label)
                    for status in BUTTON_STATUSES
                    if status in allowed
                ],
                "can_answer": obj.status == RequestStatus.IN_PROGRESS,
                "can_publish": obj.status in PUBLISHABLE,
                "can_unpublish": obj.is_public,
                "can_assign_to_me": obj.assignee_id != request.user.pk,
            }
        return super().change_view(request, object_id, form_url, extra_context)
