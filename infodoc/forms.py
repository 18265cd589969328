"""The public info-doc request form: validation only, with a consent and a honeypot field."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator, RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infodoc.models import RequesterKind
from portal.core.collation import french_ordered
from portal.core.forms import DepartmentField, HoneypotForm, name_fields
from portal.core.models import Commune, Theme
from portal.core.widgets import Select

QUESTION_MAX_LENGTH = 5000

validate_phone = RegexValidator(
    r"^\+?[0-9 .()\-]{6,30}$",
    _("Enter a phone number: digits, spaces, dots, dashes, an optional leading +."),
    code="phone",
)


class CodeChoiceField(forms.ModelChoiceField):
    """A choice looked up by a short code; odd values are refused before any query."""

    widget = Select
    max_code_length = 10

    def to_python(self, value):
        if isinstance(value, str) and (len(value) > self.max_code_length or "\x00" in value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class CommuneChoiceField(CodeChoiceField):
    def label_from_instance(self, obj: Commune) -> str:
        return f"{obj.name} ({obj.department.code})"


class InfoRequestForm(HoneypotForm):
    """What a visitor asks the info-doc service; no account needed."""

    first_name, last_name = name_fields()
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("The acknowledgement and the link to follow your request are sent here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    organisation_name = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    requester_kind = forms.ChoiceField(
        label=_("You are"),
        choices=RequesterKind.choices,
        initial=RequesterKind.OTHER,
        widget=Select,
    )
    department = DepartmentField(
        label=_("Département"),
        required=False,
        empty_label=_("Choose a département"),
    )
    commune = CommuneChoiceField(
        label=_("Commune"),
        queryset=Commune.objects.none(),
        to_field_name="insee_code",
        required=False,
        empty_label=_("Choose a commune"),
        help_text=_("For a commune of the centre's area; otherwise choose the département."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    question = forms.CharField(
        label=_("Your question"),
        max_length=QUESTION_MAX_LENGTH,
        help_text=_("What you are looking for, the context, and how you will use it."),
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": QUESTION_MAX_LENGTH}),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=french_ordered(Theme.objects.all()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    wished_by = forms.DateField(
        label=_("Wished deadline"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the centre keeps these details to handle my request, answer me and "
            "count the requests in its activity report."
        ),
        required=True,
        error_messages={"required": _("Your consent is needed to handle your request.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = french_ordered(
            Commune.objects.filter(department__code__in=settings.CENTRE_DEPARTMENTS).select_related(
                "department"
            )
        )
        self.fields["question"].validators.append(MaxLengthValidator(QUESTION_MAX_LENGTH))

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone:
            validate_phone(phone)
        return phone

    def clean_wished_by(self):
        wished_by = self.cleaned_data["wished_by"]
        if wished_by and wished_by < timezone.localdate():
            raise forms.ValidationError(
                _("The wished deadline cannot be in the past."), code="past"
            )
        return wished_by

    def clean(self) -> dict:
        cleaned = super().clean()
        commune = cleaned.get("commune")
        department = cleaned.get("department")
        if commune and department and commune.department_id != department.pk:
            self.add_error("commune", _("This commune is not in the chosen département."))
        return cleaned

    def submission_data(self) -> dict:
        """The cleaned values for info_request_submit()."""
        data = dict(self.cleaned_data)
        data.pop("consent")
        data.pop(self.HONEYPOT)
        return data
