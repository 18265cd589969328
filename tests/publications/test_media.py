"""Podcasts and replays stored as audio or video files: played in the page, with their
transcript, served inline, and carried by the RSS feed as the enclosure."""

from __future__ import annotations

from datetime import date
from xml.etree import ElementTree

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from publications.models import Publication, PublicationKind, PublicationStatus
from tests.publications.factories import PublicationFactory

pytestmark = pytest.mark.django_db

# The first bytes of an MP3 file (an ID3 header); enough for the pages and the feed.
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x0f" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _podcast(**kwargs):
    publication = PublicationFactory(kind=PublicationKind.PODCAST, **kwargs)
    publication.media_file.save("episode-3.mp3", ContentFile(MP3), save=True)
    return publication


def test_an_audio_file_plays_in_the_page_with_its_transcript(client):
    publication = _podcast(transcript="Bonjour à toutes et à tous.\n\nAujourd'hui, la santé.")

    response = client.get(publication.get_absolute_url())

    content = response.content.decode()
    src = f"/publications/{publication.slug}/media/"
    assert f'<audio controls preload="metadata" src="{src}"' in content
    assert "<video" not in content
    assert '<details class="publication-transcript">' in content
    assert "<p>Bonjour à toutes et à tous.</p>" in content
    assert "<p>Aujourd&#x27;hui, la santé.</p>" in content


def test_a_video_file_plays_in_a_video_element_and_no_transcript_no_details(client):
    publication = PublicationFactory(kind=PublicationKind.REPLAY)
    publication.media_file.save("webinaire.webm", ContentFile(b"\x1aE\xdf\xa3" + MP3), save=True)

    content = client.get(publication.get_absolute_url()).content.decode()

    assert "<video controls" in content
    assert "<audio" not in content
    assert "publication-transcript" not in content


def test_the_media_file_is_served_inline_with_its_type(client):
    publication = _podcast()

    response = client.get(f"/publications/{publication.slug}/media/")

    assert response.status_code == 200
    assert response["Content-Type"] == "audio/mpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == MP3


def test_no_media_file_and_unpublished_media_are_404(client):
    without = PublicationFactory(kind=PublicationKind.PODCAST)
    draft = _podcast(status=PublicationStatus.DRAFT)

    assert client.get(f"/publications/{without.slug}/media/").status_code == 404
    assert client.get(f"/publications/{draft.slug}/media/").status_code == 404


def test_only_audio_and_video_files_are_accepted():
    publication = PublicationFactory(kind=PublicationKind.PODCAST)
    publication.media_file.name = "publications/media/2026/page.html"

    with pytest.raises(ValidationError) as error:
        publication.full_clean()

    assert "media_file" in error.value.message_dict


def test_the_feed_carries_the_audio_file_as_enclosure(client, settings):
    settings.SITE_URL = "https://ressources.example.org"
    publication = _podcast(published_on=date(2024, 5, 2), summary="L'épisode de l'ouest")

    root = ElementTree.fromstring(client.get("/publications/flux.xml").content)

    item = root.find("channel/item")
    assert item.findtext("description") == "L'épisode de l'ouest"
    enclosure = item.find("enclosure")
    assert enclosure.get("type") == "audio/mpeg"
    assert enclosure.get("length") == str(len(MP3))
    assert enclosure.get("url") == (
        f"https://ressources.example.org/publications/{publication.slug}/media/"
    )


def _podcast_form(**overrides) -> dict:
    data = {
        "title": "La voix des quartiers",
        "slug": "voix-des-quartiers",
        "kind": PublicationKind.PODCAST,
        "summary": "",
        "body": "",
        "status": PublicationStatus.DRAFT,
        "published_on": "2024-06-20",
        "transcript": "Bonjour à toutes et à tous.",
    }
    return {**data, **overrides}


def test_the_admin_takes_an_audio_file_and_its_transcript_as_the_podcast_media(staff_client):
    upload = SimpleUploadedFile("episode.mp3", MP3, content_type="audio/mpeg")

    response = staff_client.post(
        reverse("admin:publications_publication_add"), _podcast_form(media_file=upload)
    )

    assert response.status_code == 302
    publication = Publication.objects.get()
    assert publication.media_content_type == "audio/mpeg"
    assert publication.transcript == "Bonjour à toutes et à tous."


def test_the_admin_refuses_a_page_renamed_mp3_and_an_oversize_file(staff_client, settings):
    fake = SimpleUploadedFile("episode.mp3", b"<html><script>alert(1)</script>")
    response = staff_client.post(
        reverse("admin:publications_publication_add"), _podcast_form(media_file=fake)
    )
    assert response.context["adminform"].form.errors.as_data()["media_file"][0].code == (
        "not_media"
    )

    settings.PUBLICATION_MAX_MEDIA_MB = 0.00001
    upload = SimpleUploadedFile("episode.mp3", MP3)
    response = staff_client.post(
        reverse("admin:publications_publication_add"), _podcast_form(media_file=upload)
    )
    assert response.context["adminform"].form.errors.as_data()["media_file"][0].code == (
        "file_too_large"
    )
    assert not Publication.objects.exists()


def test_a_transcript_is_shown_for_a_podcast_on_another_site_too(client):
    publication = PublicationFactory(
        kind=PublicationKind.PODCAST,
        media_url="https://podcasts.example.org/episode-4",
        transcript="Le texte de l'épisode.",
    )

    content = client.get(publication.get_absolute_url()).content.decode()

    assert "<audio" not in content
    assert '<summary id="transcript-title">' in content
    assert "<p>Le texte de l&#x27;épisode.</p>" in content


def test_the_action_page_plays_the_replay_that_came_out_of_it(client):
    from tests.events.factories import ActionFactory, SessionFactory

    action = ActionFactory(slug="rencontre-sante")
    SessionFactory(action=action)
    podcast = _podcast(title="L'enregistrement de la rencontre", actions=[action])

    content = client.get("/agenda/rencontre-sante/").content.decode()

    assert f'href="{podcast.get_absolute_url()}"' in content
    src = f"/publications/{podcast.slug}/media/"
    assert f'<audio controls preload="metadata" src="{src}"' in content
