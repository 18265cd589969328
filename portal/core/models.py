"""Accounts and the site settings shared by every app."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.cache import cache
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An account, identified by its email address (stored lower-case)."""

    email = models.EmailField(_("email address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Designates whether the user can log into the back office."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="core_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self) -> str:
        return self.first_name or self.email


def validate_siret(value: str) -> None:
    from django.core.exceptions import ValidationError

    try:
        siret.validate(value)
    except StdnumError:
        raise ValidationError(
            _("%(value)s is not a valid SIRET number (14 digits with a valid checksum)."),
            params={"value": value},
        ) from None


hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))


class SiteSettings(models.Model):
    """The centre's identity, one row, edited by staff; read by layout, invoices, reports."""

    CACHE_KEY = "core:site-settings"

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    address = models.TextField(_("postal address"), blank=True)
    email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    logo = models.ImageField(_("logo"), upload_to="site/", blank=True)
    primary_colour = models.CharField(
        _("primary colour"), max_length=7, default="#1d4e89", validators=[hex_colour]
    )
    accent_colour = models.CharField(
        _("accent colour"), max_length=7, default="#b3261e", validators=[hex_colour]
    )
    legal_mentions = models.TextField(
        _("legal notice"),
        blank=True,
        help_text=_("Publisher, director of publication, host; shown on the legal notice page."),
    )
    vat_mention = models.CharField(
        _("VAT mention"), max_length=200, default="TVA non applicable, art. 293 B du CGI"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="core_sitesettings_singleton"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)

    @classmethod
    def load(cls) -> SiteSettings:
        """The settings row, cached in Redis; created with defaults if missing."""
        settings = cache.get(cls.CACHE_KEY)
        if settings is None:
            settings, _created = cls.objects.get_or_create(
                pk=1, defaults={"name": "Pôle ressources ville et développement social"}
            )
            cache.set(cls.CACHE_KEY, settings, 3600)
        return settings
