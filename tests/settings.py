"""Settings for the test suite: the portal's settings, on their own Redis database.

The suite runs against the same PostgreSQL and Redis as the portal (embedded
unless DATABASE_URL / REDIS_URL name servers); pytest-django creates its own
test database, and Redis database 9 keeps test keys and queues apart. Runs side by side
on one machine (two checkouts, a benchmark beside the suite) each set their own
PORTAL_TEST_SLOT (1 to 6): database test_portal_<slot>, Redis database 9 + slot.
"""

import os
from urllib.parse import urlsplit, urlunsplit

from portal import embedded

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-any-deployment")
# Servers this test process started; conftest stops them when the session ends.
EMBEDDED_STARTED = embedded.ensure_environment()


SLOT = int(os.environ.get("PORTAL_TEST_SLOT") or 0)
if not 0 <= SLOT <= 6:
    raise SystemExit("PORTAL_TEST_SLOT must be a number from 1 to 6.")


def _redis_test_db(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return f"unix://{parts.path}?db={9 + SLOT}"
    return urlunsplit(parts._replace(path=f"/{9 + SLOT}"))


os.environ["REDIS_URL"] = _redis_test_db(os.environ["REDIS_URL"])

from portal.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

if SLOT:
    DATABASES["default"]["TEST"] = {"NAME": f"test_portal_{SLOT}"}  # noqa: F405
# A worker started by the celery_worker fixture works on pytest-django's test database.
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["NAME"] = os.environ["TEST_DATABASE_NAME"]  # noqa: F405

# Pages are rendered on every request in the tests (their query counts and contexts are
# what they check); the page_cache_on fixture turns the page cache on, and a worker
# started for a page cache test is given TEST_PAGE_CACHE_SECONDS.
PAGE_CACHE_SECONDS = int(os.environ.get("TEST_PAGE_CACHE_SECONDS", "0"))
