"""Nothing is forgotten: every model that can hold a person's data is declared by an app's
privacy module (MODELS or KEPT), by the privacy app itself, or excluded here with a reason.

A model added later with a foreign key to Person or to the user model, or with an email
field, fails `test_every_personal_model_is_declared` until someone says how it is
exported and erased.
"""

from __future__ import annotations

import inspect

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.test.utils import isolate_apps

from members.models import Person
from portal.privacy import registry
from portal.privacy.registry import CONTRIBUTORS, ERASE_ORDER, contributors, models_declared

# Models that point to a person or hold an address, but hold no data of a data subject.
EXCLUDED: dict[str, str] = {
    "reports.reportbuild": (
        "requested_by is the staff account of the director who built the annual report: "
        "who did the work, nothing about the people the report counts."
    ),
}


def personal_fields(model: type[models.Model]) -> list[str]:
    """The fields that make `model` hold someone's data (relation to a person or an email)."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    found = []
    for field in (*model._meta.concrete_fields, *model._meta.many_to_many):
        to_a_person = field.is_relation and field.related_model in (Person, user_model)
        if to_a_person or isinstance(field, models.EmailField):
            found.append(field.name)
    return found


def personal_models(candidates) -> dict[str, list[str]]:
    """{label: fields} of the concrete models among `candidates` holding someone's data."""
    return {
        model._meta.label_lower: fields
        for model in candidates
        if not model._meta.proxy and (fields := personal_fields(model))
    }


def test_every_personal_model_is_declared():
    declared = set(models_declared()) | set(EXCLUDED)
    missing = {
        label: fields
        for label, fields in personal_models(apps.get_models()).items()
        if label not in declared
    }
    assert not missing, (
        "Declare these models in their app's privacy module (MODELS, or KEPT with why), "
        f"or exclude them in this test with a reason: {missing}"
    )


def test_a_new_model_without_declaration_fails():
    with isolate_apps("members"):

        class Contact(models.Model):  # noqa: DJ008
            person = models.ForeignKey(Person, models.CASCADE)

            class Meta:
                app_label = "members"

        class Mailing(models.Model):  # noqa: DJ008
            address = models.EmailField()

            class Meta:
                app_label = "members"

        class Theme(models.Model):  # noqa: DJ008
            name = models.CharField(max_length=10)

            class Meta:
                app_label = "members"

        found = personal_models([Contact, Mailing, Theme])
    assert found == {"members.contact": ["person"], "members.mailing": ["address"]}
    assert not set(found) & set(models_declared())


def test_declarations_name_real_models_and_exclusions_are_needed():
    labels = {model._meta.label_lower for model in apps.get_models()}
    assert set(models_declared()) <= labels
    personal = personal_models(apps.get_models())
    for label in EXCLUDED:
        assert label in personal, f"{label} no longer needs its exclusion"
        assert label not in models_declared(), f"{label} is declared: drop its exclusion"


def test_contributors_follow_the_contract():
    assert set(ERASE_ORDER) == set(CONTRIBUTORS)
    # The apps on top first, then members (the Person row last of its work), then core.
    assert ERASE_ORDER[-2:] == ("members.privacy", "portal.core.privacy")
    for contributor in contributors():
        module = contributor.module
        assert isinstance(module.MODELS, tuple)
        assert isinstance(module.KEPT, dict)
        assert all(str(why).strip() for why in module.KEPT.values())
        for name in ("subject_data", "subject_erase", "traces_since"):
            parameters = inspect.signature(getattr(module, name)).parameters.values()
            assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters), name
    assert {c.app_label for c in contributors()} == {
        "core",
        "members",
        "events",
        "infodoc",
        "newsletter",
    }


@pytest.mark.parametrize("label", ["members.invoice", "members.creditnote", "members.payment"])
def test_accounting_documents_are_kept(label):
    """Invoices, credit notes and payments keep the payer: accounting law (ten years)."""
    assert label in registry.models_kept()
