"""The questionnaire a participant answers after a session, reached by the signed link
of the email (no account needed). Thin: token → service → template or redirect."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from events.models import Evaluation
from events.services.evaluations import evaluation_from_token, evaluation_submit

SATISFACTION_CHOICES = [
    (1, _("Very dissatisfied")),
    (2, _("Dissatisfied")),
    (3, _("Neither satisfied nor dissatisfied")),
    (4, _("Satisfied")),
    (5, _("Very satisfied")),
]
USEFULNESS_CHOICES = [
    (1, _("Not useful at all")),
    (2, _("Not very useful")),
    (3, _("Fairly useful")),
    (4, _("Useful")),
    (5, _("Very useful")),
]


class EvaluationForm(forms.Form):
    """The questionnaire (lives here: events/forms.py belongs to the public pages)."""

    satisfaction = forms.TypedChoiceField(
        label=_("Overall, how satisfied are you with this session?"),
        choices=SATISFACTION_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    usefulness = forms.TypedChoiceField(
        label=_("How useful is it for your work?"),
        choices=USEFULNESS_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(
        label=_("Comments"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What did you appreciate? What could be better?"),
    )


def _invalid(request, error: ValidationError):
    return render(
        request, "events/evaluation_invalid.html", {"message": " ".join(error.messages)}, status=400
    )


@never_cache
@require_http_methods(["GET", "POST"])
def evaluation_form_view(request, token: str):
    try:
        session, person = evaluation_from_token(token)
    except ValidationError as error:
        return _invalid(request, error)
    context = {"session": session, "action": session.action, "person": person}
    if Evaluation.objects.filter(session=session, person=person).exists():
        return render(request, "events/evaluation_done.html", {**context, "already": True})
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation_submit(session=session, person=person, **form.cleaned_data)
        except ValidationError as error:
            if error.code == "answered":
                return render(request, "events/evaluation_done.html", {**context, "already": True})
            form.add_error(None, error)
        else:
            return redirect("events_evaluation:thanks")
    return render(request, "events/evaluation.html", {**context, "form": form})


def evaluation_thanks_view(request):
    return render(request, "events/evaluation_done.html", {"already": False})
