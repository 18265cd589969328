"""Production-like settings for bench/run: the test settings' environment, DEBUG off.

The servers are those of the tests (embedded unless DATABASE_URL / REDIS_URL name
others, Redis database 9); BENCH_DATABASE_NAME names the benchmark's database and
PAGE_CACHE_SECONDS turns the anonymous page cache on (0, the default here: off).
Mails (registration confirmations, info-doc acknowledgements, subscription links sent by
the Celery worker during the load) go to Django's in-memory backend: nowhere. The public
forms' rate limits per IP are raised: the mixed load posts them all from 127.0.0.1.
"""

import os
import warnings

from tests.settings import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "bench.urls"
if os.environ.get("BENCH_DATABASE_NAME"):
    DATABASES["default"]["NAME"] = os.environ["BENCH_DATABASE_NAME"]  # noqa: F405
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "0"))
MAILERS = {**MAILERS, "default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}  # noqa: F405
INFODOC_RATE_LIMITS = NEWSLETTER_SUBSCRIBE_RATE_LIMITS = {"ip": 1_000_000}
# No collectstatic for the benchmark: WhiteNoise need not warn that STATIC_ROOT is missing.
warnings.filterwarnings("ignore", message="No directory at")
