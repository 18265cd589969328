"""The demo publications: the 2023 report's list, searchable PDFs, loaded once."""

from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.postgres.search import SearchQuery
from django.utils import timezone
from pypdf import PdfReader

from demo import publications as publications_demo
from events.models import ActionFormat
from publications.models import Publication, PublicationKind, PublicationStatus
from tests.events.factories import ActionFactory
from tests.publications.admin_factories import (
    DepartmentFactory,
    media_root,  # noqa: F401 - fixture
)

pytestmark = [
    pytest.mark.usefixtures("media_root", "frozen_clock"),
    pytest.mark.django_db,
]

# What the demo loads depends on the day: a fixed, ordinary instant.
NOW = datetime(2026, 11, 18, 14, 0, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def territories(db):
    for code, name in (("95", "Val-d'Oise"), ("78", "Yvelines"), ("92", "Hauts-de-Seine")):
        DepartmentFactory(code=code, name=name)


def pdf_text(publication: Publication) -> str:
    with publication.file.open("rb") as handle:
        reader = PdfReader(BytesIO(handle.read()))
    return " ".join(page.extract_text() for page in reader.pages)


def test_the_demo_loads_once_with_the_report_publications(territories):
    publications_demo.load_demo()
    count = Publication.objects.count()
    publications_demo.load_demo()
    assert Publication.objects.count() == count

    titles = set(Publication.objects.values_list("title", flat=True))
    year = timezone.localdate().year
    assert f"Recueil fiches expériences {year - 1}" in titles
    assert "Kit Limit's" in titles
    assert "Synthèse — Journée des adultes-relais des Yvelines" in titles
    assert "Priorité aux quartiers : de l'observation à la contractualisation" in titles
    kinds = set(Publication.objects.values_list("kind", flat=True))
    expected = {"proceedings", "press_kit", "podcast", "network_contribution", "experience_sheet"}
    assert expected <= kinds
    sheets = Publication.objects.filter(
        kind=PublicationKind.EXPERIENCE_SHEET, published_on__year=year - 1
    )
    assert sheets.count() == 10

    published = Publication.objects.published()
    assert published.filter(published_on__year=year - 1).count() >= 11
    assert published.filter(published_on__year=year).count() >= 2
    scheduled = Publication.objects.get(status=PublicationStatus.SCHEDULED)
    assert scheduled.published_on > timezone.localdate()
    assert Publication.objects.filter(status=PublicationStatus.DRAFT).count() == 1

    kit = Publication.objects.get(slug="kit-limits")
    assert {t.slug for t in kit.themes.all()} == {"prevention-et-tranquillite-publique", "jeunesse"}
    assert [d.code for d in kit.departments.all()] == ["95"]
    assert kit.thumbnail.width == 400  # generated from the generated cover
    podcast = Publication.objects.get(kind=PublicationKind.PODCAST)
    assert podcast.media_url and not podcast.file


def test_the_demo_pdfs_hold_searchable_text(territories):
    publications_demo.load_demo()
    publication = Publication.objects.get(title="Accès à une alimentation durable et de qualité")
    text = pdf_text(publication)
    assert "alimentation" in text
    assert "jardins partagés" in text  # from the body paragraph
    assert "diabète" in text  # from the summary

    found = Publication.objects.filter(search_vector=SearchQuery("diabète", config="french"))
    assert publication in found
    found = Publication.objects.filter(search_vector=SearchQuery("recycleries", config="french"))
    assert found.get().title.startswith("Économie circulaire")
    for other in Publication.objects.exclude(file=""):
        assert other.summary.split()[2] in pdf_text(other).replace("\n", " ")


def test_the_demo_links_actions_found_by_title_and_needs_none(territories):
    action = ActionFactory(
        title="Cycle participation des habitant·es et quartiers populaires",
        format=ActionFormat.SEMINAR,
    )
    publications_demo.load_demo()
    actes = Publication.objects.get(
        slug="actes-participation-des-habitantes-et-quartiers-populaires"
    )
    assert list(actes.actions.all()) == [action]
    assert (
        Publication.objects.filter(actions__isnull=False).distinct().count() == 2
    )  # and the draft
