"""The annual report's PDF: tagged, titled, French, with a table of contents that is right."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext
from pypdf import PdfReader

from events.models import ActionFormat, Attendance, Headcount
from members.models import ActorType, MembershipCategory
from newsletter.models import IssueStatus
from portal.core.models import SiteSettings
from portal.reports.models import ReportEdition
from portal.reports.pdf import (
    report_html,
    report_pdf,
    report_sections,
    report_title,
)
from portal.reports.selectors import annual_figures
from publications.models import PublicationKind
from tests.events.factories import ActionFactory, SessionFactory
from tests.infodoc.factories import InfoRequestFactory
from tests.members.factories import (
    CityFactory,
    DepartmentFactory,
    IndividualMembershipFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
)
from tests.newsletter.factories import IssueFactory, SubscriberFactory
from tests.publications.factories import PublicationFactory, ThemeFactory

NNBSP = "\u202f"
YEAR = timezone.localdate().year - 1  # a past year: every session of it counts
FOREWORD = (
    "Une année de coopérations renforcées avec les villes et les intercommunalités.\n\n"
    "Le centre a ouvert deux nouveaux cycles de qualification."
)


# A small year of activity ---------------------------------------------------------------


def moment(month: int, day: int, hour: int = 9, year: int = YEAR) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def year_of_activity(db, make_user):
    """Two actions (one on a theme), 1 205 participations in YEAR, 1 000 the year before."""
    val_doise = DepartmentFactory(code="95", name="Val-d'Oise")
    DepartmentFactory(code="78", name="Yvelines")
    health = ThemeFactory(name="Santé", slug="sante")

    peer_group = ActionFactory(title="Groupe d'échanges santé", format=ActionFormat.PEER_GROUP)
    peer_group.themes.add(health)
    first = SessionFactory(action=peer_group, starts_at=moment(3, 10))
    second = SessionFactory(action=peer_group, starts_at=moment(6, 5))
    people = [PersonFactory(department=val_doise) for _ in range(3)]
    for person in people:
        Attendance.objects.create(session=first, person=person, present=True)
    for person in people[:2]:
        Attendance.objects.create(session=second, person=person, present=True)
    cycle = ActionFactory(title="Cycle de qualification", format=ActionFormat.QUALIFICATION_CYCLE)
    long_day = SessionFactory(action=cycle, starts_at=moment(9, 20), ends_at=moment(9, 20, hour=17))
    Headcount.objects.create(
        session=long_day, department=val_doise, actor_type=ActorType.RESIDENT, count=1200
    )
    before = SessionFactory(action=cycle, starts_at=moment(5, 4, year=YEAR - 1))
    Headcount.objects.create(session=before, department=val_doise, count=1000)

    PublicationFactory(
        title="Étude sur la santé des jeunes", published_on=datetime.date(YEAR, 4, 2)
    )
    PublicationFactory(
        title="Actes de la rencontre régionale",
        kind=PublicationKind.PROCEEDINGS,
        published_on=datetime.date(YEAR, 11, 8),
    )
    for day in (3, 17):
        InfoRequestFactory(received_on=datetime.date(YEAR, 2, day))
    IssueFactory(status=IssueStatus.SENT, sent_at=moment(10, 1))
    SubscriberFactory(confirmed_at=moment(1, 15, year=YEAR - 1))

    MembershipFactory(year=YEAR, organisation=OrganisationFactory(name="Les Jardins partagés"))
    MembershipFactory(
        year=YEAR, category=MembershipCategory.CITY, organisation=CityFactory(name="Argenteuil")
    )
    IndividualMembershipFactory(year=YEAR, person__first_name="Sylvie", person__last_name="Moreau")
    OrganisationFactory(name="Préfecture du Val-d'Oise", is_funder=True)
    director = make_user("directrice@example.org", staff=True)
    PersonFactory(user=director, first_name="Claire", last_name="Dumas", job_title="Directrice")

    ReportEdition.objects.create(
        year=YEAR,
        foreword=FOREWORD,
        perspectives="Préparer les contrats de ville de la prochaine génération.",
        board="Marie Curie, présidente\nJean Moulin, trésorier",
    )
    return annual_figures(year=YEAR)


def page_texts(reader: PdfReader) -> list[str]:
    """Each page's text, with every kind of space made a plain one."""
    return [normalise(page.extract_text()) for page in reader.pages]


def normalise(text: str) -> str:
    return re.sub(r"[ \u00a0\u202f]+", " ", text)


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


# The PDF ----------------------------------------------------------------------------------


def test_the_report_is_a_tagged_french_pdf_with_its_title(year_of_activity):
    rendered = report_pdf(year_of_activity)

    reader = PdfReader(BytesIO(rendered.content))
    catalog = reader.trailer["/Root"]
    assert rendered.pages == len(reader.pages) > 5
    assert reader.metadata.title == report_title(year=YEAR, site_name=SiteSettings.load().name)
    assert str(YEAR) in reader.metadata.title
    assert SiteSettings.load().name in reader.metadata.title
    assert catalog["/Lang"] == "fr"
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"]


def test_the_table_of_contents_gives_the_right_pages(year_of_activity):
    rendered = report_pdf(year_of_activity)

    texts = page_texts(PdfReader(BytesIO(rendered.content)))
    with translation.override(settings.LANGUAGE_CODE):
        sections = report_sections(year_of_activity)
        contents = gettext("Table of contents")
    assert [section.id for section in sections] == [
        "key_figures", "foreword", "organisation", "participation", "publications",
        "infodoc", "resonances", "dues", "perspectives",
    ]  # fmt: skip
    toc = next(i for i, text in enumerate(texts) if contents in lines(text))
    toc_lines = lines(texts[toc])
    start = toc + 1
    for section in sections:
        printed = [
            int(match.group(1))
            for line in toc_lines
            if (match := re.fullmatch(rf"{re.escape(section.title)}[ .]*?(\d+)", line))
        ]
        assert len(printed) == 1, f"{section.title} not in the table of contents: {toc_lines}"
        # The first page after the previous section's where the heading is a line of its own.
        found = next(i for i in range(start, len(texts)) if section.title in lines(texts[i]))
        assert printed[0] == found + 1, section.title
        start = found


def test_the_foreword_and_figures_are_in_the_pdf(year_of_activity):
    figures = year_of_activity
    assert figures.participation.participations == 1205
    assert figures.participation.participations_change == Decimal("20.5")

    reader = PdfReader(BytesIO(report_pdf(figures).content))
    texts = page_texts(reader)
    everything = " ".join(text.replace("\n", " ") for text in texts)
    assert "Une année de coopérations renforcées avec les villes" in everything
    assert "Le centre a ouvert deux nouveaux cycles de qualification." in everything
    with translation.override(settings.LANGUAGE_CODE):
        key_figures = report_sections(figures)[0].title
    page = next(text for text in texts if key_figures in lines(text))
    assert "1 205" in page  # the cumulative participations, French thousands
    assert "+20,5 %" in page  # against the year before
    for name in ("Claire Dumas", "Directrice", "Marie Curie", "Argenteuil", "Sylvie Moreau"):
        assert name in everything
    assert "Préfecture du Val-d'Oise" in everything
    assert "Étude sur la santé des jeunes" in everything
    assert "Préparer les contrats de ville de la prochaine génération." in everything


def test_the_html_leaves_out_empty_texts_and_escapes_names(year_of_activity, db):
    ReportEdition.objects.filter(year=YEAR).update(foreword="", perspectives="  ")
    OrganisationFactory(name="<b>Fonds</b> & Cie", is_funder=True)
    figures = annual_figures(year=YEAR)

    html = report_html(figures)
    ids = [section.id for section in report_sections(figures)]
    assert "foreword" not in ids and "perspectives" not in ids
    assert 'id="foreword"' not in html and 'id="perspectives"' not in html
    assert '<html lang="fr">' in html
    assert "&lt;b&gt;Fonds&lt;/b&gt; &amp; Cie" in html and "<b>Fonds</b>" not in html
    # Members in the order of the 2023 report: associations, individuals, cities.
    assert html.index("Les Jardins partagés") < html.index("Sylvie Moreau")
    assert html.index("Sylvie Moreau") < html.index("Argenteuil")
    # Every table has a caption and header cells with a scope.
    assert html.count("<table>") == html.count("<caption>") > 5
    assert "<th>" not in html
