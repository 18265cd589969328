"""Dropdowns and lists sorted the French way: É with E, not after Z."""

from __future__ import annotations

import pytest

from events.filters import AgendaFilter
from events.models import Session
from infodoc.forms import InfoRequestForm
from newsletter.forms import PreferencesForm
from portal.core.collation import french_key, french_ordered
from portal.core.models import Theme
from publications.filters import PublicationFilter
from publications.models import Publication
from tests.members.factories import CommuneFactory

pytestmark = pytest.mark.django_db

EXPECTED = ["Économie", "Éducation", "Emploi", "Œuvres sociales", "Santé", "Zones rurales"]


@pytest.fixture
def themes():
    Theme.objects.all().delete()
    for name in ["Zones rurales", "Emploi", "Santé", "Éducation", "Œuvres sociales", "Économie"]:
        Theme.objects.create(name=name, slug=name.lower().replace(" ", "-"))


def test_french_ordered_puts_accented_names_with_their_letter(themes):
    assert [t.name for t in french_ordered(Theme.objects.all())] == EXPECTED


def test_french_key_sorts_in_python_as_the_database_does():
    assert (
        sorted(
            ["Zones rurales", "Emploi", "Santé", "Éducation", "Œuvres sociales", "Économie"],
            key=french_key,
        )
        == EXPECTED
    )


def test_public_dropdowns_offer_themes_in_french_order(themes):
    dropdowns = [
        AgendaFilter(queryset=Session.objects.all()).form.fields["theme"],
        PublicationFilter(queryset=Publication.objects.all()).form.fields["theme"],
        InfoRequestForm().fields["themes"],
        PreferencesForm().fields["themes"],
    ]
    for field in dropdowns:
        if hasattr(field, "queryset"):
            assert [theme.name for theme in field.queryset] == EXPECTED
        else:  # the agenda's, from the themes each process keeps (core.reference)
            assert [label for value, label in field.choices if value] == EXPECTED


def test_the_communes_admin_lists_the_french_way(admin_client):
    for name in ["Évry-Courcouronnes", "Zonza", "Eaubonne", "Écouen"]:
        CommuneFactory(name=name)
    response = admin_client.get("/admin/core/commune/")
    names = [commune.name for commune in response.context["cl"].result_list]
    assert names == ["Eaubonne", "Écouen", "Évry-Courcouronnes", "Zonza"]


def test_themes_come_in_french_order_by_default_in_the_back_office_filter(themes, staff_client):
    assert [t.name for t in Theme.objects.all()] == EXPECTED
    page = staff_client.get("/admin/publications/publication/").content.decode()
    filter_html = page[page.index('id="changelist-filter"') :]
    assert sorted(EXPECTED, key=filter_html.index) == EXPECTED
