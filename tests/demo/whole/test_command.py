"""`manage.py load_demo`: the three demo logins, once, whatever how many loads."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from demo.core import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

LOGINS = ("direction@demo.test", "equipe@demo.test", "membre@demo.test")


def test_load_demo_creates_the_three_demo_logins_once(client, whole_demo, settings):
    settings.DEBUG = True  # as `make run` runs it
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "Demo data loaded." in out.getvalue()
    for email in LOGINS:
        assert client.login(email=email, password=DEMO_PASSWORD)
    assert get_user_model().objects.filter(email__endswith="@demo.test").count() == 3
