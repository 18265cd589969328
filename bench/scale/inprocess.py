"""Measures through Django's test client, in process: SQL queries per page, admin lists."""

from __future__ import annotations

import time
from statistics import median

ADMIN_PAGES = {
    "people": "/admin/members/person/",
    "attendances": "/admin/events/attendance/",
    "deliveries": "/admin/newsletter/delivery/",
}
_environment_ready = False


def _client():
    global _environment_ready
    from django.test import Client
    from django.test.utils import setup_test_environment

    if not _environment_ready:
        setup_test_environment()
        _environment_ready = True
    return Client()


def query_counts(pages: dict[str, str]) -> dict[str, int]:
    """SQL queries of each page for an anonymous visitor, once the process is warm."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.core.models import SiteSettings

    # Created if a new database lacks them: a change of the content, which would make the
    # next page read everything kept for the content again.
    SiteSettings.load()
    client = _client()
    counts = {}
    for label, url in pages.items():
        client.get(url)  # warm: what each process keeps
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        counts[label] = len(captured)
    return counts


def admin_times(*, repeat: int = 5) -> tuple[float, dict[str, float]]:
    """Median server time (ms) of the admin home page and of each big change list."""
    from django.contrib.auth import get_user_model

    client = _client()
    user_model = get_user_model()
    user = user_model.objects.filter(email="bench-admin@example.org").first()
    if user is None:
        user = user_model.objects.create_superuser("bench-admin@example.org", "bench-password")
    client.force_login(user)

    def took(url: str) -> float:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
        return median(times)

    took("/admin/")  # warm
    reference = took("/admin/")
    return reference, {label: took(url) for label, url in ADMIN_PAGES.items()}


def table_sizes() -> dict[str, int]:
    from events.models import Attendance, Registration
    from members.models import Person
    from newsletter.models import Delivery

    return {
        "people": Person.objects.count(),
        "attendances": Attendance.objects.count(),
        "registrations": Registration.objects.count(),
        "deliveries": Delivery.objects.count(),
    }
