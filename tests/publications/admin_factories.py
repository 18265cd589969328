"""Factories and file makers for the publications back-office tests."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import factory
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from portal.core.models import Department
from portal.core.pdf import render_pdf
from publications.models import Publication, PublicationKind, PublicationStatus


class AdminPublicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Publication
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Synthèse de la rencontre départementale n°{n}")
    slug = factory.Sequence(lambda n: f"synthese-rencontre-{n}")
    kind = PublicationKind.SYNTHESIS
    summary = "Les échanges d'une journée entre professionnel·les de la politique de la ville."
    status = PublicationStatus.DRAFT
    published_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def departments(self, create, extracted, **kwargs):
        if create and extracted:
            self.departments.set(extracted)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = "95"
    name = "Val-d'Oise"


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded and generated files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


_PDF_CACHE: dict[str, bytes] = {}


def pdf_bytes(summary: str = "Une synthèse sur la participation citoyenne.") -> bytes:
    """A real (tagged) PDF made by the portal's WeasyPrint wrapper."""
    if summary not in _PDF_CACHE:
        _PDF_CACHE[summary] = render_pdf(
            "publications/demo_pdf.html",
            {
                "title": "Document de test",
                "kind": "Synthèse",
                "publisher": "Pôle ressources",
                "published_on": timezone.localdate(),
                "summary": summary,
                "paragraphs": ["Un paragraphe du corps du document."],
            },
        )
    return _PDF_CACHE[summary]


def pdf_upload(name: str = "synthese.pdf", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else pdf_bytes(), "application/pdf")


def text_as_pdf(name: str = "notes.pdf") -> SimpleUploadedFile:
    """A text file renamed .pdf, sent with the PDF content type."""
    return SimpleUploadedFile(name, "Compte rendu de réunion\n".encode() * 20, "application/pdf")


def image_bytes(width: int = 1200, height: int = 800, fmt: str = "PNG", **save) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (width, height), "#7a1f3d").save(output, format=fmt, **save)
    return output.getvalue()


def image_upload(name: str = "couverture.png", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(**kwargs), "image/png")


def zip_bytes(files: dict[str, bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return output.getvalue()
