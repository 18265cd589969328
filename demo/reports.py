"""Demo of the annual report: last year's texts, the team and the funders.

Last year is the year the other demos fill like the 2023 activity report (events,
info-doc, publications, members and dues), so its report is the complete one. The
texts are written from the facts of ../shared/seeds, not copied from them; the board
and the team beyond the demo logins are fictitious people.

Idempotent: an edition, a person or a funder that exists is left as it is.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from members.models import Organisation, OrganisationKind, Person
from portal.reports.models import ReportEdition

FOREWORD = """\
{year} a été une année dense pour le Pôle ressources : formations, rencontres, groupes \
de pairs, visites et séminaires ont réuni tout au long de l'année les professionnel·les, \
élu·es, associations et habitant·es qui font vivre les quartiers des Yvelines, des \
Hauts-de-Seine et du Val-d'Oise.

L'actualité de la politique de la ville a rythmé nos travaux. Les nouveaux contrats de \
ville « Engagements Quartiers 2030 » entrent dans leur phase opérationnelle : nous avons \
aidé les équipes projet à préciser leurs priorités, à mieux observer leurs quartiers et à \
associer les conseils citoyens aux instances de pilotage.

Nos partenariats se sont consolidés. La convention pluriannuelle signée avec la \
préfecture de région et les préfectures de département donne un cadre stable à notre \
feuille de route ; l'Agence régionale de santé soutient notre travail sur la santé dans \
toutes les politiques ; les caisses d'allocations familiales du Val-d'Oise et des \
Yvelines nous confient l'animation du réseau des conventions territoriales globales.

Ce rapport rend compte de cette activité, thème par thème. Il doit beaucoup aux \
collectivités, associations et adhérent·es individuel·les qui soutiennent le projet \
associatif, à l'équipe salariée et aux administrateur·rices : qu'ils et elles en soient \
remercié·es."""

PERSPECTIVES = """\
En {next_year}, le Pôle ressources continuera d'accompagner la mise en œuvre des contrats \
de ville, en mettant l'accent sur l'évaluation et sur la place des habitant·es dans les \
décisions qui les concernent.

Trois chantiers thématiques seront approfondis : la transition écologique dans les \
quartiers prioritaires sous l'angle de la justice sociale ; la santé mentale des jeunes, \
avec l'Agence régionale de santé ; les coopérations entre acteur·rices de l'emploi, de \
l'insertion et du développement économique local.

La lettre Résonances, le service info-doc et nos publications continueront de faire \
connaître les expériences des territoires. L'association engagera enfin avec ses \
adhérent·es la révision de son projet associatif."""

# Fictitious people; organisations and the board's roles as the report lists them.
BOARD = """\
Hélène Marchand, présidente — personne qualifiée
Jean-Michel Perrin, vice-président — Ville de Sarcelles
Sophie Lemoine, trésorière — Fédération des Centres Sociaux du Val d'Oise
Ahmed Ouali, secrétaire — CA de Cergy-Pontoise
Isabelle Fontaine, administratrice — Ville de Gennevilliers
Thomas Girard, administrateur — Les Francas du Val d'Oise
Fatoumata Keita, administratrice — Ville des Mureaux
Pascal Roussel, administrateur — adhérent individuel"""

# Job titles of the demo logins (demo.core.DEMO_USERS).
LOGIN_TITLES = {
    "direction@demo.test": "Directrice",
    "equipe@demo.test": "Chargé de mission",
}
# The rest of a seven-person team like the 2023 report's: accounts without a password
# (not demo logins), so the team page of the report is complete.
TEAM = [
    ("Julien", "Morel", "Directeur adjoint"),
    ("Léa", "Garnier", "Cheffe de projet cohésion sociale"),
    ("Camille", "Rey", "Cheffe de projet coopérations et innovation sociale"),
    ("Mehdi", "Haddad", "Chef de projet développement urbain et économique"),
    ("Nathalie", "Blanc", "Assistante administrative"),
]
TEAM_DOMAIN = "equipe.demo.test"

# The funders of the 2023 report (names as the events and info-doc demos spell them).
FUNDERS = [
    ("Préfecture de la région Île-de-France", OrganisationKind.STATE),
    ("Agence nationale de la cohésion des territoires (ANCT)", OrganisationKind.PUBLIC_AGENCY),
    ("ARS Île-de-France", OrganisationKind.PUBLIC_AGENCY),
    ("Direction régionale aux droits des femmes et à l'égalité", OrganisationKind.STATE),
    ("Préfecture du Val-d'Oise", OrganisationKind.STATE),
    ("DDETS du Val-d'Oise", OrganisationKind.STATE),
    ("CAF du Val-d'Oise", OrganisationKind.PUBLIC_AGENCY),
    ("CAF des Yvelines", OrganisationKind.PUBLIC_AGENCY),
    ("Fonjep", OrganisationKind.OTHER),
]


def demo_year() -> int:
    return timezone.localdate().year - 1


def load_edition(year: int) -> ReportEdition:
    edition, _created = ReportEdition.objects.get_or_create(
        year=year,
        defaults={
            "foreword": FOREWORD.format(year=year),
            "perspectives": PERSPECTIVES.format(next_year=year + 1),
            "board": BOARD,
        },
    )
    return edition


def _team_member(user, job_title: str) -> None:
    person = Person.objects.filter(user=user).first()
    if person is None:
        person = Person.objects.filter(email__iexact=user.email, user__isnull=True).first()
    if person is None:
        person = Person(first_name=user.first_name, last_name=user.last_name, email=user.email)
    if person.user_id and person.job_title:
        return
    person.user, person.job_title = user, person.job_title or job_title
    person.full_clean()
    person.save()


def load_team() -> None:
    users = get_user_model().objects
    for email, job_title in LOGIN_TITLES.items():
        user = users.filter(email=email, is_staff=True).first()
        if user is not None:
            _team_member(user, job_title)
    for first_name, last_name, job_title in TEAM:
        email = f"{first_name}.{last_name}@{TEAM_DOMAIN}".lower().replace("é", "e")
        user = users.filter(email=email).first()
        if user is None:
            user = users.create_user(
                email, None, first_name=first_name, last_name=last_name, is_staff=True
            )
        _team_member(user, job_title)


def load_funders() -> None:
    for name, kind in FUNDERS:
        if not Organisation.objects.filter(name=name).update(is_funder=True):
            Organisation.objects.create(name=name, kind=kind, is_funder=True)


@transaction.atomic
def load_demo() -> None:
    load_team()
    load_funders()
    load_edition(demo_year())
