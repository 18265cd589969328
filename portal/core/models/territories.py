"""French territories: départements, EPCI (inter-municipal bodies) and communes.

Filled from the official INSEE files (portal.core.imports), from the back office's imports
or `manage.py import_territories`; the demo loads a small fixture of the centre's three
départements the same way.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    code = models.CharField(_("code"), max_length=3, unique=True)  # "95", "2A", "971"
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("département")
        verbose_name_plural = _("départements")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Epci(models.Model):
    siren = models.CharField(_("SIREN"), max_length=9, unique=True)
    name = models.CharField(_("name"), max_length=200)
    legal_form = models.CharField(
        _("legal form"), max_length=10, blank=True, help_text=_("CA, CU, CC, METRO, EPT…")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("EPCI")
        verbose_name_plural = _("EPCI")

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    insee_code = models.CharField(_("INSEE code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=150)
    department = models.ForeignKey(
        Department, models.PROTECT, related_name="communes", verbose_name=_("département")
    )
    epci = models.ForeignKey(
        Epci, models.SET_NULL, null=True, blank=True, related_name="communes",
        verbose_name=_("EPCI"),
    )  # fmt: skip
    population = models.PositiveIntegerField(_("legal population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("population year"), null=True, blank=True)
    population_is_approximate = models.BooleanField(
        _("approximate population"),
        default=False,
        help_text=_("Set for demo figures that are not the official legal population."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        indexes = [models.Index(fields=["department", "name"])]

    def __str__(self) -> str:
        return self.name
