"""`manage.py load_demo` refuses a site with DEBUG off unless forced (tests/demo/whole/
loads the demo with --force, DEBUG being off in tests)."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from portal.core.models import SiteSettings

pytestmark = pytest.mark.django_db


def test_load_demo_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError) as refused:
        call_command("load_demo", stdout=io.StringIO())
    message = str(refused.value)
    assert message.startswith("DEBUG is off") and "--force" in message
    assert "\n" not in message
    assert not get_user_model().objects.filter(email__endswith="@demo.test").exists()
    assert not SiteSettings.objects.filter(email="contact@demo.test").exists()
