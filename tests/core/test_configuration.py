"""Bad configuration stops with one clear line, not a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def run(args, unset=(), **env):
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", *unset}}
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=base | {"DJANGO_SETTINGS_MODULE": "portal.settings"} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_one_clear_line(result, *expected):
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for text in expected:
        assert text in lines[0]


def test_production_settings_refuse_to_start_without_secret_key():
    result = run(["manage.py", "check"])
    assert_one_clear_line(result, "SECRET_KEY is not set", "Set SECRET_KEY")


@pytest.mark.parametrize(
    "unset", [("DATABASE_URL", "REDIS_URL"), ("DATABASE_URL",), ("REDIS_URL",)]
)
def test_production_settings_refuse_to_start_without_the_servers(tmp_path, unset):
    """With DEBUG off nothing runs an embedded server (a container would lose its data
    when recreated): the portal says what to set, and starts nothing."""
    result = run(["manage.py", "check"], unset, SECRET_KEY="x" * 50, PORTAL_VAR_DIR=str(tmp_path))
    assert_one_clear_line(
        result, "DATABASE_URL and REDIS_URL must both be set", "Set DATABASE_URL to a PostgreSQL"
    )
    assert list(tmp_path.iterdir()) == []


def test_importing_the_settings_starts_no_server(tmp_path):
    """Even on a development machine: manage.py, make run and the tests start the
    embedded servers, the settings never do."""
    result = run(
        ["-c", "import portal.settings"],
        ("DATABASE_URL", "REDIS_URL"),
        DEBUG="1",
        PORTAL_VAR_DIR=str(tmp_path),
    )
    assert_one_clear_line(result, "DATABASE_URL and REDIS_URL must both be set")
    assert not (tmp_path / "postgres").exists()
    assert not (tmp_path / "redis").exists()


def test_an_unreachable_database_is_named_in_one_line():
    result = run(
        ["manage.py", "migrate", "--check"],
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgresql://portal@127.0.0.1:1/portal",
    )
    assert_one_clear_line(result, "DATABASE_URL", "unreachable")


def test_the_launcher_names_an_unreachable_database_before_starting_anything():
    result = run(
        ["-m", "portal.launcher"],
        DATABASE_URL="postgresql://portal@127.0.0.1:1/portal",
        REDIS_URL=os.environ["REDIS_URL"],
    )
    assert_one_clear_line(result, "cannot reach the database", "DATABASE_URL")


def test_the_launcher_names_an_unreachable_redis(test_database_url):
    result = run(
        ["-m", "portal.launcher"],
        DATABASE_URL=test_database_url,
        REDIS_URL="redis://127.0.0.1:1/0",
    )
    assert_one_clear_line(result, "cannot reach Redis", "REDIS_URL")


def test_a_malformed_email_url_is_named():
    result = run(["manage.py", "check"], SECRET_KEY="x" * 50, EMAIL_URL="http://mail.example.org")
    assert_one_clear_line(result, "EMAIL_URL must start with smtp://")


def test_email_url_configures_the_default_mailer(monkeypatch):
    from portal.env import mailer_from_env

    monkeypatch.setenv("EMAIL_URL", "submission://relay%40asso.fr:s%3Acret@smtp.example.org")
    mailer = mailer_from_env(BASE_DIR, debug=False)
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailer["OPTIONS"] | {"timeout": 0} == {
        "host": "smtp.example.org",
        "port": 587,
        "username": "relay@asso.fr",
        "password": "s:cret",
        "use_tls": True,
        "use_ssl": False,
        "timeout": 0,
    }


def test_a_malformed_list_of_numbers_is_named():
    result = run(["manage.py", "check"], SECRET_KEY="x" * 50, DUES_REMINDER_DELAYS="30,soixante")
    assert_one_clear_line(result, "DUES_REMINDER_DELAYS must be comma-separated whole numbers")
