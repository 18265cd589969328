"""docker-compose.yml runs the portal from one image with one environment."""

import re
from pathlib import Path

import yaml

BASE_DIR = Path(__file__).resolve().parent.parent


def load_compose() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def test_compose_defines_the_six_services():
    services = load_compose()["services"]
    assert set(services) == {"web", "worker", "beat", "backup", "db", "redis"}
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")


def test_web_worker_beat_and_backup_share_one_image_and_environment():
    services = load_compose()["services"]
    app = [services[name] for name in ("web", "worker", "beat", "backup")]
    assert {service["image"] for service in app} == {"portal:latest"}
    assert all(service["build"] == "." for service in app)
    assert all(service["environment"] == app[0]["environment"] for service in app)
    assert all(service["env_file"] == ".env" for service in app)
    environment = app[0]["environment"]
    assert environment["DATABASE_URL"].endswith("@db:5432/portal")
    assert environment["REDIS_URL"] == "redis://redis:6379/0"


def test_each_service_runs_its_own_process():
    services = load_compose()["services"]
    assert "gunicorn portal.wsgi:application" in services["web"]["command"]
    assert "migrate" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A portal worker")
    assert services["beat"]["command"].startswith("celery -A portal beat")
    assert "python manage.py backup" in services["backup"]["command"]


def test_the_backups_go_to_their_own_volume_beside_the_media():
    compose = load_compose()
    backup = compose["services"]["backup"]
    directory = backup["environment"]["BACKUP_DIR"]
    assert backup["volumes"] == ["media:/app/var/media", f"backups:{directory}"]
    assert "backups" in compose["volumes"]
    assert f"mkdir -p /app/var/media {directory}" in (BASE_DIR / "Dockerfile").read_text()


def test_the_image_carries_weasyprint_system_libraries():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    for library in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"):
        assert library in dockerfile
    assert "uv sync --frozen" in dockerfile


def test_the_image_build_names_the_servers_the_settings_require():
    """collectstatic imports the production settings, which refuse to start without
    SECRET_KEY, DATABASE_URL and REDIS_URL (it connects to neither server)."""
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    step = re.search(r"DEBUG=0 (.*?) python manage.py collectstatic", dockerfile, re.S)[1]
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= {
        word.split("=", 1)[0] for word in step.split()
    }
