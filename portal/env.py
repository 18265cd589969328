"""Reading the configuration from the environment, with one clear line on error."""

from __future__ import annotations

import os
import sys

TRUE = {"1", "true", "yes", "on"}


class ConfigurationError(SystemExit):
    """Stops the process with a one-line message instead of a traceback."""

    def __init__(self, message: str):
        super().__init__(f"Configuration error: {message}")


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in TRUE


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, got {value!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_int_list(name: str, default: str) -> list[int]:
    try:
        return [int(item) for item in env_list(name, default)]
    except ValueError:
        raise ConfigurationError(
            f"{name} must be comma-separated whole numbers, got {env_str(name)!r}."
        ) from None


def fail(message: str) -> None:
    """Print one line and exit; for launchers outside Django's settings."""
    print(f"Configuration error: {message}", file=sys.stderr)
    raise SystemExit(1)


SMTP_DEFAULT_PORTS = {"smtp": 25, "smtps": 465, "submission": 587}


def mailer_from_env(base_dir, *, debug: bool, variable: str = "EMAIL_URL") -> dict:
    """A mailer (an entry of Django's MAILERS) from EMAIL_URL, or from `variable`.

    ``smtp://user:password@host:port`` (plain or STARTTLS-less), ``submission://``
    (port 587, STARTTLS) or ``smtps://`` (implicit TLS). Without EMAIL_URL,
    development writes each message to var/mail/ and production prints to the console.
    """
    from urllib.parse import unquote, urlsplit

    url = env_str(variable)
    if not url:
        if debug:
            return {
                "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "OPTIONS": {"file_path": str(base_dir / "var" / "mail")},
            }
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parts = urlsplit(url)
    if parts.scheme not in SMTP_DEFAULT_PORTS:
        raise ConfigurationError(
            f"{variable} must start with smtp://, submission:// or smtps://, got {parts.scheme!r}."
        )
    return {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": parts.hostname or "localhost",
            "port": parts.port or SMTP_DEFAULT_PORTS[parts.scheme],
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_tls": parts.scheme == "submission",
            "use_ssl": parts.scheme == "smtps",
            "timeout": 30,
        },
    }
