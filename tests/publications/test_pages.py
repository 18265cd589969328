"""The public publication pages: list (browse order, pages, query counts), detail,
download, drafts and staff preview, schema.org metadata."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.core.models import SiteSettings, Theme
from publications.filters import PublicationFilter
from publications.models import Publication, PublicationKind, PublicationStatus
from publications.selectors.catalogue import PAGE_SIZE
from tests.events.factories import ActionFactory
from tests.members.factories import DepartmentFactory, OrganisationFactory
from tests.publications.factories import PublicationFactory, bulk_publications

pytestmark = pytest.mark.django_db

URL = "/publications/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def json_ld(response) -> dict:
    blocks = re.findall(
        rb'<script type="application/ld\+json">(.*?)</script>', response.content, re.DOTALL
    )
    assert len(blocks) == 1
    return json.loads(blocks[0])


# The list -------------------------------------------------------------------------------


def test_urls_are_named():
    assert reverse("publications:list") == "/publications/"
    assert reverse("publications:detail", args=["actes"]) == "/publications/actes/"
    assert reverse("publications:download", args=["actes"]) == "/publications/actes/telecharger/"
    assert reverse("publications:feed") == "/publications/flux.xml"


def test_empty_catalogue_page(client):
    response = client.get(URL)

    assert response.status_code == 200
    assert response.context["listing"].total == 0
    assert b'class="publication-empty"' in response.content


def test_list_shows_published_publications_with_their_facets(client):
    theme = Theme.objects.get(slug="jeunesse")
    published = PublicationFactory(title="Les jeunes et la ville", themes=[theme])
    PublicationFactory(title="Brouillon secret", status=PublicationStatus.DRAFT)

    response = client.get(URL)

    content = response.content.decode()
    assert published.title in content
    assert "Brouillon secret" not in content
    assert f'href="{published.get_absolute_url()}"' in content
    assert '<option value="jeunesse">' in content
    assert 'name="q"' in content and 'role="search"' in content


def _list_queries(client, params: dict) -> int:
    SiteSettings.load()  # its creation would be a change of the content, read again
    client.get(URL, params)  # warm the site settings cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200
    assert len(response.context["listing"].items) == min(
        PAGE_SIZE, response.context["listing"].total
    )
    return len(queries)


def test_list_page_runs_the_same_queries_with_10_and_1000_publications(client):
    themes = list(Theme.objects.filter(slug__in=["sante", "jeunesse"]))
    department = DepartmentFactory()
    bulk_publications(10, prefix="small", themes=themes)
    Publication.departments.through.objects.create(
        publication_id=Publication.objects.first().pk, department_id=department.pk
    )
    small = _list_queries(client, {})
    small_filtered = _list_queries(client, {"kind": "study", "year": timezone.localdate().year})

    bulk_publications(990, prefix="large", themes=themes)
    large = _list_queries(client, {})
    large_filtered = _list_queries(client, {"kind": "study", "year": timezone.localdate().year})

    # What the list finds and the page (the publications' themes and départements are kept
    # in the process, catalogue._links, and their names too: core.reference).
    assert small == large == 2
    assert small_filtered == large_filtered == 2


def test_a_card_kept_in_the_fragments_cache_shows_a_change_at_once(client):
    theme = Theme.objects.get(slug="sante")
    publication = PublicationFactory(
        title="Habitat", kind=PublicationKind.STUDY, summary="Un résumé", themes=[theme]
    )
    for params in ({}, {"q": "habitat"}):
        assert '<span class="tag">Étude</span>' in client.get(URL, params).content.decode()

    publication.kind = PublicationKind.BOOKLET
    publication.summary = "Un autre résumé"
    publication.slug = "habitat-nouvelle-adresse"
    publication.save()
    publication.themes.set([Theme.objects.get(slug="jeunesse")])

    for params in ({}, {"q": "habitat"}):
        content = client.get(URL, params).content.decode()
        assert '<span class="tag">Livret</span>' in content
        assert '<span class="tag">Étude</span>' not in content
        assert "Un autre résumé" in content
        assert f'href="{publication.get_absolute_url()}"' in content
        assert f'<span class="tag">{theme.name}</span>' not in content


def test_a_card_kept_without_its_themes_shows_them_where_the_list_does(client):
    theme = Theme.objects.get(slug="sante")
    PublicationFactory(title="Habitat", summary="Un résumé", themes=[theme])
    tag = f'<span class="tag">{theme.name}</span>'
    # The home page's cards show no themes: their kept parts are not the list's.
    assert "Habitat" in client.get(reverse("core:home")).content.decode()

    assert tag in client.get(URL).content.decode()


def test_each_list_filter_checks_its_own_values_with_the_form_class_made_once():
    wrong = PublicationFilter({"kind": "nope"})
    right = PublicationFilter({"kind": PublicationKind.STUDY})

    assert type(wrong.form) is type(right.form)
    assert wrong.form.fields["kind"] is not right.form.fields["kind"]
    assert (wrong.ignored, wrong.cleaned()) == (["kind"], {})
    assert (right.ignored, right.cleaned()) == ([], {"kind": PublicationKind.STUDY})


def test_keyset_pages_walk_the_whole_list_and_back(client):
    bulk_publications(PAGE_SIZE * 2 + 5, prefix="walk")
    expected = list(
        Publication.objects.order_by("-published_on", "-pk").values_list("title", flat=True)
    )

    first = client.get(URL).context["listing"]
    second = client.get(URL, {"after": first.next_cursor}).context["listing"]
    third = client.get(URL, {"after": second.next_cursor}).context["listing"]
    back = client.get(URL, {"before": second.previous_cursor}).context["listing"]

    seen = [p.title for listing in (first, second, third) for p in listing.items]
    assert seen == expected
    assert first.previous_cursor is None and first.next_cursor
    assert second.previous_cursor and second.next_cursor
    assert len(third.items) == 5 and third.next_cursor is None
    assert [p.title for p in back.items] == [p.title for p in first.items]
    assert back.previous_cursor is None


def test_a_deep_page_costs_what_the_first_costs(client):
    bulk_publications(1000, prefix="deep")
    last = Publication.objects.order_by("published_on", "pk")[PAGE_SIZE]
    cursor = f"{last.published_on.isoformat()}.{last.pk}"

    first = _list_queries(client, {})
    deep = _list_queries(client, {"after": cursor})

    assert first == deep


def test_a_deep_page_reads_the_listing_index_on_a_large_catalogue(client):
    """With 10,000 publications a page far down the list is an index range scan.

    The keyset condition lets PostgreSQL start `publication_listing` (status,
    -published_on, -id) at the cursor and stop after one page, with no OFFSET and no sort.
    """
    bulk_publications(10_000, prefix="deep")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE publications_publication")
    last = Publication.objects.order_by("published_on", "pk")[PAGE_SIZE]
    cursor_param = f"{last.published_on.isoformat()}.{last.pk}"

    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"after": cursor_param})
    assert len(response.context["listing"].items) == PAGE_SIZE
    page_sql = next(
        q["sql"]
        for q in queries
        if f"LIMIT {PAGE_SIZE + 1}" in q["sql"] and "GROUP BY" not in q["sql"]
    )
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {page_sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "publication_listing" in plan, plan
    assert "Sort" not in plan, plan


def test_pagination_links_keep_the_filters(client):
    bulk_publications(PAGE_SIZE * 3 + 6, prefix="links")  # kinds in turn: 22 syntheses

    response = client.get(URL, {"kind": "synthesis"})

    listing = response.context["listing"]
    assert len(listing.items) == PAGE_SIZE and listing.next_cursor
    content = response.content.decode()
    assert f'href="?kind=synthesis&amp;after={listing.next_cursor}" rel="next"' in content
    next_page = client.get(URL, {"kind": "synthesis", "after": listing.next_cursor})
    assert len(next_page.context["listing"].items) == 2


def test_search_results_are_numbered_pages(client):
    bulk_publications(PAGE_SIZE * 3, prefix="numbered")

    response = client.get(URL, {"q": "participation", "page": "2"})

    listing = response.context["listing"]
    assert listing.page == 2 and listing.page_count == 3
    assert len(listing.items) == PAGE_SIZE
    content = response.content.decode()
    assert 'aria-current="page"' in content
    assert "q=participation&amp;page=3" in content


# The detail -----------------------------------------------------------------------------


def test_detail_page_shows_the_publication(client):
    health = Theme.objects.get(slug="sante")
    department = DepartmentFactory(code="78", name="Yvelines")
    partner = OrganisationFactory(name="Association Santé Quartiers")
    action = ActionFactory(title="Groupe des coordinateurs ASV")
    hidden_action = ActionFactory(title="Action interne", is_public=False)
    publication = PublicationFactory(
        title="Actes de la rencontre santé",
        kind=PublicationKind.PROCEEDINGS,
        summary="Ce que les coordinateurs ont partagé.",
        body="<h2>Introduction</h2><p>Le <em>texte</em> complet.</p>",
        authors="Marie Dupont; Karim Benali",
        published_on=timezone.localdate() - timedelta(days=3),
        themes=[health],
        departments=[department],
        coproducers=[partner],
        actions=[action, hidden_action],
    )

    response = client.get(publication.get_absolute_url())

    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Actes de la rencontre santé</h1>" in content
    assert "<h2>Introduction</h2><p>Le <em>texte</em> complet.</p>" in content  # body as HTML
    assert "Marie Dupont, Karim Benali" in content
    assert "Association Santé Quartiers" in content
    assert "Yvelines (78)" in content and "?territory=78" in content
    assert "?theme=sante" in content
    assert f'href="{action.get_absolute_url()}"' in content
    assert "Action interne" not in content
    assert f'datetime="{publication.published_on.isoformat()}"' in content
    assert reverse("publications:download", args=[publication.slug]) not in content  # no file


def test_detail_date_is_written_in_french(client):
    publication = PublicationFactory(published_on=timezone.localdate().replace(day=1))

    response = client.get(publication.get_absolute_url())

    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre"]  # fmt: skip
    expected = f"1 {months[publication.published_on.month - 1]} {publication.published_on.year}"
    assert expected in response.content.decode()


def test_summary_and_title_are_escaped_on_the_detail_page(client):
    publication = PublicationFactory(
        title="Titre <script>alert(1)</script>", summary="Résumé <img src=x onerror=alert(1)>"
    )

    response = client.get(publication.get_absolute_url())

    assert b"<script>alert(1)</script>" not in response.content
    assert b"<img src=x" not in response.content


def test_related_publications_share_themes(client):
    health = Theme.objects.get(slug="sante")
    youth = Theme.objects.get(slug="jeunesse")
    housing = Theme.objects.get(slug="logement-et-renovation-urbaine")
    publication = PublicationFactory(title="Principale", themes=[health, youth])
    both = PublicationFactory(title="Deux thèmes communs", themes=[health, youth])
    one = PublicationFactory(title="Un thème commun", themes=[youth])
    PublicationFactory(title="Autre thème", themes=[housing])
    PublicationFactory(title="Brouillon lié", themes=[health], status=PublicationStatus.DRAFT)

    response = client.get(publication.get_absolute_url())

    assert [p.title for p in response.context["related"]] == [both.title, one.title]


def test_detail_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    themes = list(Theme.objects.filter(slug__in=["sante", "jeunesse"]))
    publication = PublicationFactory(themes=themes, actions=[ActionFactory()])
    bulk_publications(30, prefix="related", themes=themes)
    client.get(publication.get_absolute_url())  # warm the site settings cache
    caches["fragments"].clear()

    # The publication, its themes, territories, coproducers, actions; the related ones.
    with django_assert_num_queries(6):
        client.get(publication.get_absolute_url())
    # What it is linked to is kept in the fragments cache: the publication only.
    with django_assert_num_queries(1):
        client.get(publication.get_absolute_url())


def test_detail_page_shows_a_new_theme_at_once(client):
    publication = PublicationFactory(themes=[Theme.objects.get(slug="sante")])
    related = PublicationFactory(title="Même thème", themes=[Theme.objects.get(slug="jeunesse")])
    client.get(publication.get_absolute_url())

    publication.themes.add(Theme.objects.get(slug="jeunesse"))
    response = client.get(publication.get_absolute_url())

    assert "?theme=jeunesse" in response.content.decode()
    assert related.title in response.content.decode()
    assert [t["name"] for t in json_ld(response)["about"]] == ["Jeunesse", "Santé"]


def test_podcast_links_to_the_external_site_without_embedding_it(client):
    publication = PublicationFactory(
        kind=PublicationKind.PODCAST, media_url="https://podcasts.example.org/episode-3"
    )

    response = client.get(publication.get_absolute_url())

    content = response.content.decode()
    assert 'href="https://podcasts.example.org/episode-3"' in content
    assert "<iframe" not in content
    assert "<audio" not in content and "<video" not in content
    assert json_ld(response)["@type"] == "PodcastEpisode"


def test_json_ld_describes_the_publication(client):
    theme = Theme.objects.get(slug="jeunesse")
    publication = PublicationFactory(
        title='Étude "jeunesse" </script><script>alert(1)</script>',
        kind=PublicationKind.STUDY,
        summary="Résumé de l'étude.",
        authors="Marie Dupont; Karim Benali",
        themes=[theme],
    )

    response = client.get(publication.get_absolute_url())

    data = json_ld(response)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Report"
    assert data["name"] == publication.title
    assert data["datePublished"] == publication.published_on.isoformat()
    assert data["author"] == [
        {"@type": "Person", "name": "Marie Dupont"},
        {"@type": "Person", "name": "Karim Benali"},
    ]
    assert data["about"] == [{"@type": "Thing", "name": theme.name}]
    assert data["url"].endswith(publication.get_absolute_url())
    assert b"</script><script>alert(1)" not in response.content


def test_json_ld_without_authors_names_the_centre(client):
    publication = PublicationFactory(authors="", kind=PublicationKind.BOOKLET)

    data = json_ld(client.get(publication.get_absolute_url()))

    assert data["@type"] == "CreativeWork"
    assert data["author"][0]["@type"] == "Organization"


# Drafts, scheduled publications and staff preview -------------------------------------------


@pytest.mark.parametrize(
    ("status", "days"),
    [
        (PublicationStatus.DRAFT, -3),
        (PublicationStatus.SCHEDULED, 5),
        (PublicationStatus.PUBLISHED, 2),  # dated in the future: not yet public
    ],
)
def test_unpublished_publications_are_404(client, staff_user, status, days):
    publication = PublicationFactory(
        status=status, published_on=timezone.localdate() + timedelta(days=days)
    )
    url = publication.get_absolute_url()

    assert client.get(url).status_code == 404
    assert client.get(url, {"preview": "1"}).status_code == 404
    client.force_login(staff_user)
    assert client.get(url).status_code == 404  # a preview is asked for explicitly


def test_staff_may_preview_a_draft(client, staff_user, member_user):
    publication = PublicationFactory(title="Brouillon en relecture", status=PublicationStatus.DRAFT)
    url = publication.get_absolute_url()

    client.force_login(member_user)
    assert client.get(url, {"preview": "1"}).status_code == 404

    client.force_login(staff_user)
    response = client.get(url, {"preview": "1"})
    assert response.status_code == 200
    assert response.context["is_preview"] is True
    assert b"Brouillon en relecture" in response.content
    assert b'content="noindex, nofollow"' in response.content
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


# Download ---------------------------------------------------------------------------------


def test_download_returns_the_pdf_and_counts_it(client, media_root):
    publication = PublicationFactory(slug="actes-2024")
    publication.file.save("actes.pdf", ContentFile(PDF), save=True)

    detail = client.get(publication.get_absolute_url())
    download_url = reverse("publications:download", args=[publication.slug])
    assert download_url.encode() in detail.content

    response = client.get(download_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="actes-2024.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF
    client.get(download_url)
    client.head(download_url)  # a HEAD is not a download

    publication.refresh_from_db()
    assert publication.download_count == 2


def test_download_is_404_without_a_file(client, media_root):
    publication = PublicationFactory()

    response = client.get(reverse("publications:download", args=[publication.slug]))

    assert response.status_code == 404
    publication.refresh_from_db()
    assert publication.download_count == 0


def test_download_is_404_when_the_file_is_missing_from_the_storage(client, media_root):
    publication = PublicationFactory()
    publication.file.save("perdu.pdf", ContentFile(PDF), save=True)
    publication.file.storage.delete(publication.file.name)

    response = client.get(reverse("publications:download", args=[publication.slug]))

    assert response.status_code == 404
    publication.refresh_from_db()
    assert publication.download_count == 0


def test_download_of_a_draft_is_404_and_staff_preview_does_not_count(
    client, staff_user, media_root
):
    publication = PublicationFactory(status=PublicationStatus.DRAFT)
    publication.file.save("brouillon.pdf", ContentFile(PDF), save=True)
    url = reverse("publications:download", args=[publication.slug])

    assert client.get(url).status_code == 404
    client.force_login(staff_user)
    assert client.get(url, {"preview": "1"}).status_code == 200

    publication.refresh_from_db()
    assert publication.download_count == 0


def test_an_action_page_lists_the_publications_that_came_out_of_it(client, db):
    from publications.models import Publication
    from tests.events.factories import ActionFactory, SessionFactory

    action = ActionFactory()
    SessionFactory(action=action)
    published = Publication.objects.create(
        title="Actes de la rencontre", slug="actes-rencontre", kind="proceedings",
        status="published",
    )  # fmt: skip
    draft = Publication.objects.create(
        title="Brouillon des actes", slug="brouillon-actes", kind="proceedings", status="draft"
    )
    published.actions.add(action)
    draft.actions.add(action)
    html = client.get(action.get_absolute_url()).content.decode()
    assert "Actes de la rencontre" in html
    assert "Brouillon des actes" not in html
