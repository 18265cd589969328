"""A publication's cover and thumbnail follow the publication: to anyone once it is online,
before that (draft, scheduled, dated in the future) only to the team, never kept by a cache."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from publications.models import Publication, PublicationStatus
from publications.services import (
    publication_publish,
    publication_save,
    publication_schedule,
    publication_withdraw,
    publications_publish_due,
)
from tests.publications.admin_factories import (
    AdminPublicationFactory,
    image_bytes,
    media_root,  # noqa: F401 - fixture
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

JPEG_START = b"\xff\xd8"


def with_cover(**fields) -> Publication:
    """A publication with a PNG cover and the JPEG thumbnail the service makes from it."""
    publication = AdminPublicationFactory(**fields)
    publication.cover.save(f"{publication.slug}.png", ContentFile(image_bytes()), save=False)
    return publication_save(publication=publication, actor=None, cover_changed=True)


def image_urls(publication: Publication) -> list[str]:
    publication.refresh_from_db()
    return [publication.cover.url, publication.thumbnail.url]


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def visitors(client, make_user, staff_user):
    member = Client()
    member.force_login(make_user("membre@example.org"))
    staff = Client()
    staff.force_login(staff_user)
    return {"anonymous": client, "member": member, "staff": staff}


@pytest.fixture
def unpublished():
    today = timezone.localdate()
    return {
        "draft": with_cover(status=PublicationStatus.DRAFT),
        "scheduled": with_cover(
            status=PublicationStatus.SCHEDULED, published_on=today + timedelta(days=5)
        ),
        "future": with_cover(
            status=PublicationStatus.PUBLISHED, published_on=today + timedelta(days=5)
        ),
    }


def test_an_unpublished_publications_images_reach_only_the_team(unpublished, visitors):
    for state, publication in unpublished.items():
        for url in image_urls(publication):
            assert url.startswith("/media/publications/"), url
            for role in ("anonymous", "member"):
                assert visitors[role].get(url).status_code == 404, (state, url, role)
            response = visitors["staff"].get(url)
            assert response.status_code == 200, (state, url)
            assert body(response).startswith((JPEG_START, b"\x89PNG"))
            assert "no-store" in response["Cache-Control"]
            assert "private" in response["Cache-Control"]


def test_a_published_publications_images_reach_anyone_until_withdrawn(visitors, staff_user):
    publication = with_cover(status=PublicationStatus.PUBLISHED)
    cover, thumbnail = image_urls(publication)
    for role in ("anonymous", "member", "staff"):
        response = visitors[role].get(thumbnail)
        assert response.status_code == 200, role
        assert body(response).startswith(JPEG_START)
        # What django.views.static.serve sends: browsers may keep it and ask again.
        assert "Cache-Control" not in response
        assert response["Last-Modified"]
    assert visitors["anonymous"].get(cover).status_code == 200

    publication_withdraw(publication=publication, actor=staff_user)
    for url in (cover, thumbnail):
        assert visitors["anonymous"].get(url).status_code == 404
        assert visitors["member"].get(url).status_code == 404
        assert "no-store" in visitors["staff"].get(url)["Cache-Control"]


def test_a_scheduled_publications_images_go_online_with_it(visitors, staff_user):
    today = timezone.localdate()
    publication = with_cover(status=PublicationStatus.DRAFT)
    publication_schedule(publication=publication, actor=staff_user, publish_on=today)
    urls = image_urls(publication)
    assert [visitors["anonymous"].get(url).status_code for url in urls] == [404, 404]
    publications_publish_due()
    assert [visitors["anonymous"].get(url).status_code for url in urls] == [200, 200]

    publication_withdraw(publication=publication, actor=staff_user)
    publication_publish(publication=publication, actor=staff_user)
    assert [visitors["anonymous"].get(url).status_code for url in urls] == [200, 200]


def test_a_replaced_cover_is_no_longer_served(visitors):
    publication = with_cover(status=PublicationStatus.PUBLISHED)
    old_cover = image_urls(publication)[0]
    publication.cover.save("nouvelle.png", ContentFile(image_bytes(600, 900)), save=False)
    publication_save(publication=publication, actor=None, cover_changed=True)
    new_cover, new_thumbnail = image_urls(publication)
    assert new_cover != old_cover
    # The old cover stays on disk, held by no publication: nobody gets it any more.
    for role in ("anonymous", "staff"):
        assert visitors[role].get(old_cover).status_code == 404, role
    assert visitors["anonymous"].get(new_cover).status_code == 200
    assert visitors["anonymous"].get(new_thumbnail).status_code == 200


def test_the_site_logo_stays_public(client, settings):
    logo = settings.MEDIA_ROOT / "site" / "logo.png"
    logo.parent.mkdir(parents=True)
    logo.write_bytes(image_bytes(40, 40))
    response = client.get("/media/site/logo.png")
    assert response.status_code == 200
    assert body(response).startswith(b"\x89PNG")


def test_one_query_on_the_image_index_per_image(client):
    """The publication holding the image is found through its partial index, and whether it
    is online is read in the same statement."""
    publication = with_cover(status=PublicationStatus.PUBLISHED)
    indexes = ("publication_cover", "publication_thumbnail")
    for url, index in zip(image_urls(publication), indexes, strict=True):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) == 1, [query["sql"] for query in queries]
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {queries[0]['sql']}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert index in plan, plan
