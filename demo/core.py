"""The demo site settings and the three demo logins: idempotent, demo-only accounts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction

from demo import DATA
from portal.core.models import AccessibilityStatus, Commune, SiteSettings, User
from portal.core.roles import DIRECTOR_GROUP, STAFF_GROUP

DEMO_PASSWORD = "demo-portal"  # noqa: S105 - documented demo-only password

DEMO_USERS = (
    # email, first name, last name, is_staff, groups
    ("direction@demo.test", "Claire", "Directrice", True, (DIRECTOR_GROUP, STAFF_GROUP)),
    ("equipe@demo.test", "Karim", "Chargé de mission", True, (STAFF_GROUP,)),
    ("membre@demo.test", "Sophie", "Adhérente", False, ()),
)


@transaction.atomic
def load_site_settings() -> SiteSettings:
    site, _created = SiteSettings.objects.get_or_create(pk=1, defaults={"name": "x"})
    site.name = "Pôle ressources ville et développement social"
    site.short_name = "Pôle ressources"
    site.tagline = "Centre de ressources politique de la ville de l'ouest francilien"
    site.address = "Adresse de démonstration\n95000 Cergy"
    site.email = "contact@demo.test"
    site.siret = "40123456200015"  # fictitious, valid checksum
    site.iban = "FR7630006000011234567890189"  # fictitious, valid checksum
    site.bic = "AGRIFRPP"
    site.phone = "01 23 45 67 89"
    site.publication_director = "Claire Directrice, présidente de l'association"
    site.host_name = "Hébergeur de démonstration SAS"
    site.host_address = "1 rue de l'Exemple\n75001 Paris"
    site.host_phone = "01 98 76 54 32"
    site.accessibility_status = AccessibilityStatus.PARTIAL
    site.accessibility_rate = Decimal("78.5")
    site.accessibility_audit_date = date(2026, 9, 15)
    site.accessibility_audit_basis = (
        "Auto-évaluation réalisée par l'équipe du centre sur un échantillon de douze pages "
        "(accueil, agenda, une action, publications, une publication, Résonances, info-doc, "
        "adhérents, connexion, Mon espace, mentions légales, plan du site), avec axe-core, "
        "NVDA et Firefox, VoiceOver et Safari."
    )
    site.accessibility_non_accessible = (
        "Certaines publications PDF antérieures à 2020 ne sont pas balisées.\n"
        "Les vidéos de replay n'ont pas toutes de sous-titres."
    )
    site.accessibility_derogations = ""
    site.accessibility_statement_date = date(2026, 9, 30)
    site.legal_mentions = (
        "Association loi 1901 créée en 1998. Données de démonstration : "
        "adresse et coordonnées fictives."
    )
    site.save()
    return site


@transaction.atomic
def load_demo_users() -> list[User]:
    users = []
    for email, first_name, last_name, is_staff, groups in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email, DEMO_PASSWORD, first_name=first_name, last_name=last_name, is_staff=is_staff
            )
        user.groups.add(*Group.objects.filter(name__in=groups))
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        users.append(user)
    return users


def load_territories() -> None:
    """The centre's communes and EPCIs (approximate populations), unless some are there."""
    from portal.core.territories import territories_import

    if not Commune.objects.exists():
        territories_import(
            communes_file=DATA / "demo_communes.csv",
            epci_file=DATA / "demo_epci.csv",
            population_year=2021,
            approximate=True,
        )


def load_demo() -> None:
    load_site_settings()
    load_demo_users()
