"""Forms of the info-doc back office."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from infodoc.models import InfoRequest, RequestStatus, ResponseType
from infodoc.services.answers import answer_frame


class InfoRequestAdminForm(forms.ModelForm):
    """The status is never edited here: it moves through the workflow's buttons and actions.

    An open request without an answer gets the answer prefilled with the greeting, the
    opening, the closing and the signature of `signer` (set by the admin): the email adds
    none of its own, so what staff see here is what the requester reads.
    """

    signer = None

    response_types = forms.MultipleChoiceField(
        label=_("response types"),
        choices=ResponseType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = InfoRequest
        fields = [
            "assignee", "received_on", "channel", "person", "organisation", "requester_kind",
            "commune", "epci", "department", "consent_at", "subject", "question", "themes",
            "wished_by", "answer", "response_types", "publications", "resources",
            "minutes_spent",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.instance
        if (
            request.pk is not None
            and not request.answer.strip()
            and request.status in (RequestStatus.NEW, RequestStatus.IN_PROGRESS)
            and "answer" in self.fields
        ):
            self.initial["answer"] = answer_frame(request=request, signer=self.signer).skeleton()
        if "answer" in self.fields:
            self.fields["answer"].help_text = _(
                "The whole email as the requester reads it, greeting and signature included; "
                "the linked publications, resources and attachments are listed after it."
            )

    def clean_response_types(self) -> list[str]:
        # Stored in the JSON list in the order of the choices, whatever the order ticked.
        chosen = set(self.cleaned_data["response_types"])
        return [value for value in ResponseType.values if value in chosen]


class InfoRequestPublishForm(forms.Form):
    public_question = forms.CharField(
        label=_("Anonymised question"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Remove names, organisations, places and contact details."),
    )
    public_answer = forms.CharField(
        label=_("Anonymised answer"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Email addresses and phone numbers left in the text are removed."),
    )
