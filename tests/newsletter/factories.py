"""factory_boy factories for the newsletter."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from newsletter.models import (
    Block,
    BlockPage,
    ConsentSource,
    Delivery,
    Issue,
    IssueStatus,
    Subscriber,
    SubscriberStatus,
)


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issue

    number = factory.Sequence(lambda n: 100 + n)
    month = factory.Sequence(lambda n: datetime.date(2026, 1 + n % 12, 1))
    title = factory.Sequence(lambda n: f"Quartiers et transitions {n}")
    editorial = "Ce mois-ci, le centre de ressources revient sur les rencontres de l'automne."
    status = IssueStatus.READY


class BlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Block

    issue = factory.SubFactory(IssueFactory)
    page = BlockPage.ACTIVITY
    scope = ""
    title = factory.Sequence(lambda n: f"Brève {n}")
    body = "Le centre accompagne les équipes des contrats de ville."


class SubscriberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscriber

    email = factory.Sequence(lambda n: f"abonne{n}@example.org")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Lecteur{n}")
    status = SubscriberStatus.ACTIVE
    consent_at = factory.LazyFunction(timezone.now)
    consent_source = ConsentSource.WEB_FORM
    confirmed_at = factory.LazyFunction(timezone.now)


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    issue = factory.SubFactory(IssueFactory)
    subscriber = factory.SubFactory(SubscriberFactory)


# A composed issue, shaped like a real one ---------------------------------------------

NEWS = [
    ("Quartiers 2030 : la nouvelle géographie prioritaire en cartes",
     "L'atlas des quartiers prioritaires est à jour : périmètres, population et chiffres clés "
     "de chaque quartier, par commune et par intercommunalité.\n\nLes données de l'Insee "
     "complètent les fiches.", "https://sig.ville.gouv.fr"),
    ("Abattement de TFPB : les annexes des contrats de ville",
     "Une instruction précise le contenu des conventions d'utilisation de l'abattement de taxe "
     "foncière des bailleurs sociaux, désormais annexées aux contrats de ville.", ""),
    ("Cités éducatives : de nouveaux territoires labellisés",
     "Le programme national s'étend ; le réseau des centres de ressources publie des fiches sur "
     "la gouvernance, l'évaluation et les compétences psychosociales.", ""),
]  # fmt: skip


def issue_with_content(
    *, sessions: int = 4, publications: int = 2, resources: int = 6, **fields
) -> Issue:
    """An issue with every page filled as staff usually do: a few sessions, two
    publications with covers, news both national and local, an experience sheet and
    resources of several kinds."""
    from events.models import ActionFormat
    from infodoc.models import Resource
    from portal.core.models import Department
    from publications.models import PublicationKind
    from tests.events.factories import ActionFactory, SessionFactory
    from tests.infodoc.factories import ResourceFactory
    from tests.publications.factories import PublicationFactory

    issue = IssueFactory(**fields)
    start = timezone.now() + datetime.timedelta(days=12)
    for index in range(sessions):
        action = ActionFactory(
            title=f"Groupe d'échanges des coordonnateur·rices santé n° {index}",
            format=ActionFormat.PEER_GROUP,
            summary="Un temps d'échanges entre pairs sur les contrats locaux de santé, "
            "les conseils locaux de santé mentale et l'accès aux droits.",
        )
        issue.sessions.add(
            SessionFactory(action=action, starts_at=start + datetime.timedelta(days=7 * index))
        )
    for index in range(publications):
        issue.publications.add(
            PublicationFactory(
                title=f"Actes — Participation des habitant·es et quartiers populaires {index}",
                kind=PublicationKind.PROCEEDINGS,
                cover=f"publications/covers/actes-{index}.jpg",
                summary="Ce que le séminaire a fait ressortir sur la place de la parole "
                "habitante dans les contrats de ville : conditions, obstacles et leviers.",
            )
        )
    department, _created = Department.objects.get_or_create(
        code="95", defaults={"name": "Val-d'Oise"}
    )
    issue.initiative = PublicationFactory(
        title="Fiche expérience — Un conseil local de santé mentale ouvert aux habitant·es",
        kind=PublicationKind.EXPERIENCE_SHEET,
        summary="Fiche expérience de la lettre Résonances : un CLSM qui associe les habitant·es.",
        body="<p>À Argenteuil, le conseil local de santé mentale a ouvert son assemblée "
        "plénière aux habitant·es en 2025.</p><p>Le contexte, les partenaires mobilisés, le "
        "déroulement et les premiers effets observés sont présentés ici.</p>"
        "<ul><li>Des habitant·es formé·es aux premiers secours en santé mentale ;</li>"
        "<li>un groupe de travail logement et santé mentale avec les bailleurs.</li></ul>",
        departments=[department],
    )
    issue.save()
    kinds = [kind for kind, _label in Resource.Kind.choices]
    for index in range(resources):
        issue.resources.add(
            ResourceFactory(
                kind=kinds[index % len(kinds)],
                title=f"Ressource repérée {index} : santé mentale et quartiers",
                publisher="ANCT",
                description="Un panorama des démarches locales de santé mentale, avec des "
                "fiches pratiques et des contacts dans chaque département.",
            )
        )
    BlockFactory(issue=issue, title="Appui aux projets de quartier", position=0)
    for position, (title, body, url) in enumerate(NEWS):
        for scope in ("national", "local"):
            BlockFactory(
                issue=issue, page=BlockPage.NEWS, scope=scope, title=f"{title} ({scope})",
                body=body, url=url, position=position,
            )  # fmt: skip
    return issue
