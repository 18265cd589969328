"""The PDF and cover checks, the body sanitiser and the thumbnail."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from publications.models import Publication, PublicationKind, PublicationStatus
from publications.services import publication_body_clean, publication_save
from publications.validators import (
    publication_max_upload_bytes,
    validate_cover_image,
    validate_pdf,
)
from tests.publications.admin_factories import (
    AdminPublicationFactory,
    image_bytes,
    image_upload,
    media_root,  # noqa: F401 - fixture
    pdf_bytes,
    pdf_upload,
    text_as_pdf,
)

pytestmark = pytest.mark.usefixtures("media_root")


def refusal(upload, validator=validate_pdf) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validator(upload)
    return caught.value


# The PDF ------------------------------------------------------------------------------


def test_a_text_file_renamed_pdf_is_refused_with_a_clear_message():
    error = refusal(text_as_pdf("compte-rendu.pdf"))
    assert error.code == "not_a_pdf"
    assert "compte-rendu.pdf" in error.messages[0]


def test_a_file_that_starts_like_a_pdf_but_is_broken_is_refused():
    error = refusal(pdf_upload("casse.pdf", b"%PDF-1.7\nnot really a PDF\n" * 10))
    assert error.code == "pdf_unreadable"
    assert "casse.pdf" in error.messages[0]


def test_a_real_pdf_is_accepted_and_left_rewound():
    upload = pdf_upload()
    validate_pdf(upload)
    assert upload.read(5) == b"%PDF-"


def test_an_oversize_pdf_is_refused_with_the_limit(settings):
    settings.PUBLICATION_MAX_UPLOAD_MB = 0.001  # about 1 KB: the test PDF is larger
    error = refusal(pdf_upload("gros.pdf"))
    assert error.code == "file_too_large"
    assert "gros.pdf" in error.messages[0]
    assert len(error.messages[0]) > len("gros.pdf") + 20  # says the size and the limit


def test_the_limit_defaults_to_30_mb_without_the_setting(settings):
    del settings.PUBLICATION_MAX_UPLOAD_MB
    assert publication_max_upload_bytes() == 30 * 1024 * 1024
    settings.PUBLICATION_MAX_UPLOAD_MB = 2
    assert publication_max_upload_bytes() == 2 * 1024 * 1024


def test_a_content_file_without_a_size_attribute_is_checked_too(settings):
    settings.PUBLICATION_MAX_UPLOAD_MB = 0.001
    error = refusal(ContentFile(pdf_bytes(), name="x.pdf"))
    assert error.code == "file_too_large"


def add_form(**overrides) -> dict:
    data = {
        "title": "Synthèse de la journée des adultes-relais",
        "slug": "synthese-journee-adultes-relais",
        "kind": PublicationKind.SYNTHESIS,
        "summary": "La synthèse d'une journée départementale.",
        "body": "<p>Le corps.</p>",
        "status": PublicationStatus.DRAFT,
        "published_on": "2024-06-20",
    }
    return {**data, **overrides}


def test_the_admin_refuses_a_renamed_text_file_and_keeps_nothing(staff_client):
    response = staff_client.post(
        reverse("admin:publications_publication_add"), add_form(file=text_as_pdf("notes.pdf"))
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()["file"]
    assert errors[0].code == "not_a_pdf"
    assert "notes.pdf" in response.content.decode()
    assert not Publication.objects.exists()


def test_the_admin_refuses_an_oversize_pdf(staff_client, settings):
    settings.PUBLICATION_MAX_UPLOAD_MB = 0.001
    response = staff_client.post(
        reverse("admin:publications_publication_add"), add_form(file=pdf_upload("gros.pdf"))
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors.as_data()["file"][0].code == ("file_too_large")
    assert not Publication.objects.exists()


def test_the_admin_accepts_a_real_pdf(staff_client):
    response = staff_client.post(
        reverse("admin:publications_publication_add"), add_form(file=pdf_upload("actes.pdf"))
    )
    assert response.status_code == 302
    publication = Publication.objects.get()
    with publication.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


# The cover and its thumbnail -----------------------------------------------------------


def test_a_cover_that_is_not_an_image_is_refused():
    error = refusal(text_as_pdf("couverture.png"), validate_cover_image)
    assert error.code == "not_an_image"


def test_a_png_cover_is_accepted():
    validate_cover_image(image_upload())


def test_the_thumbnail_is_400_px_wide_upright_and_without_exif(db):
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    exif[0x010F] = "Appareil photo de test"
    publication = AdminPublicationFactory()
    publication.cover.save(
        "photo.jpg", ContentFile(image_bytes(1600, 800, "JPEG", exif=exif)), save=False
    )
    publication_save(publication=publication, actor=None, cover_changed=True)

    publication.refresh_from_db()
    with publication.thumbnail.open("rb") as handle, Image.open(handle) as thumbnail:
        assert thumbnail.format == "JPEG"
        assert thumbnail.size == (400, 800)  # turned upright, then reduced to 400 px wide
        assert not thumbnail.getexif()


def test_a_small_cover_is_not_enlarged_and_removing_it_removes_the_thumbnail(db):
    publication = AdminPublicationFactory()
    publication.cover.save("petit.png", ContentFile(image_bytes(300, 200)), save=False)
    publication_save(publication=publication, actor=None, cover_changed=True)
    publication.refresh_from_db()
    assert publication.thumbnail.width == 300
    path = publication.thumbnail.path

    publication.cover = ""
    publication_save(publication=publication, actor=None, cover_changed=True)
    publication.refresh_from_db()
    assert not publication.thumbnail
    assert not Path(path).exists()


def test_the_admin_makes_the_thumbnail_when_the_cover_is_uploaded(staff_client):
    response = staff_client.post(
        reverse("admin:publications_publication_add"),
        add_form(cover=image_upload("couverture.png", width=1000, height=1400)),
    )
    assert response.status_code == 302
    publication = Publication.objects.get()
    assert publication.thumbnail.width == 400
    assert publication.thumbnail.height == 560


# The body ---------------------------------------------------------------------------


def test_the_body_keeps_editorial_tags_and_drops_everything_dangerous():
    html = (
        '<h2>Contexte</h2><p onclick="steal()">Un <strong>projet</strong> <em>local</em>.</p>'
        "<script>alert('x')</script><style>p{}</style>"
        '<p><a href="javascript:alert(1)">piège</a> <a href="https://example.org">site</a></p>'
        "<ul><li>un</li></ul><ol><li>deux</li></ol><blockquote>citation</blockquote>a<br>b"
        '<h3>Suite</h3><h4>Détail</h4><img src="x" onerror="alert(1)"><div>texte</div>'
    )
    clean = publication_body_clean(html)

    assert "<script" not in clean and "alert('x')" not in clean
    assert "onclick" not in clean and "onerror" not in clean
    assert "javascript:" not in clean
    assert "<style" not in clean and "<img" not in clean and "<div" not in clean
    assert "texte" in clean and "piège" in clean
    assert '<a href="https://example.org" rel="noopener noreferrer">site</a>' in clean
    for kept in ("<h2>", "<h3>", "<h4>", "<strong>", "<em>", "<ul>", "<ol>", "<li>",
                 "<blockquote>", "<br>", "<p>"):  # fmt: skip
        assert kept in clean


def test_the_admin_cleans_the_body_on_save(staff_client):
    response = staff_client.post(
        reverse("admin:publications_publication_add"),
        add_form(body='<p onmouseover="x()">Texte</p><script>alert(1)</script>'),
    )
    assert response.status_code == 302
    assert Publication.objects.get().body == "<p>Texte</p>"


def test_decomposed_accents_are_composed_so_search_folds_them(db):
    """Text pasted from a PDF may carry e + U+0301 instead of é."""
    import unicodedata

    from django.contrib.postgres.search import SearchQuery

    from publications.models import Publication
    from publications.services import publication_save

    publication = Publication(
        title=unicodedata.normalize("NFD", "Les événements"), slug="nfd", kind="study"
    )
    publication_save(publication=publication, actor=None)
    assert publication.title == "Les événements"
    found = Publication.objects.filter(search_vector=SearchQuery("evenement", config="french"))
    assert list(found) == [publication]
