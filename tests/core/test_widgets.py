"""portal.core.widgets.Select writes the markup of Django's template-rendered select."""

import re

import pytest
from django import forms

from portal.core.widgets import Select

CHOICES = [
    ("", "Tous les thèmes"),
    ("a&b", 'Emploi <script>alert("x")</script>'),
    ("Groupe", [("g1", "Un « groupe »"), ("g2", "L'autre")]),
    (3, "Trois"),
]


def _same(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("value", ["", "a&b", "g2", 3, "3", None, "absent"])
@pytest.mark.parametrize("attrs", [None, {"id": "id_theme", "required": True, "disabled": False}])
def test_same_markup_as_django(value, attrs):
    ours = Select(choices=CHOICES).render("theme", value, attrs=attrs)
    django = forms.Select(choices=CHOICES).render("theme", value, attrs=attrs)
    assert _same(ours) == _same(django)


def test_labels_and_values_escaped():
    html = Select(choices=CHOICES).render("theme", "a&b")
    assert "<script>" not in html
    assert '<option value="a&amp;b" selected>' in html


def test_model_choice_field_uses_it(db):
    from portal.core.models import Department

    Department.objects.create(code="93", name="Seine-Saint-Denis")

    class DepartmentForm(forms.Form):
        department = forms.ModelChoiceField(
            Department.objects.all(), to_field_name="code", widget=Select
        )

    html = str(DepartmentForm(data={"department": "93"})["department"])
    assert '<option value="93" selected>' in html
