"""Forms of the publications back office: the publication, scheduling, the import's options."""

from __future__ import annotations

import zipfile
from datetime import timedelta

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from publications.models import MEDIA_KINDS, Publication, PublicationStatus
from publications.services import publication_body_clean
from publications.validators import (
    archive_entries,
    publication_max_upload_bytes,
    validate_cover_image,
    validate_media,
    validate_pdf,
)

BODY_HELP = _(
    "HTML: paragraphs, subheadings (h2 to h4), bold, italics, links, lists, quotes and line "
    "breaks. Anything else (scripts, styles, images) is removed on save."
)


def max_upload_megabytes() -> str:
    return f"{publication_max_upload_bytes() / (1024 * 1024):g}"


class PublicationAdminForm(forms.ModelForm):
    """The file is checked from its content, the body cleaned, the dates kept coherent."""

    class Meta:
        model = Publication
        fields = [
            "title", "slug", "kind", "summary", "body", "file", "cover", "media_url",
            "media_file", "transcript", "themes", "departments", "authors", "coproducers",
            "actions", "status", "published_on",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "body" in self.fields:
            self.fields["body"].help_text = BODY_HELP
        if "file" in self.fields:
            self.fields["file"].help_text = _(
                "A PDF document of %(size)s MB at most; its content is checked."
            ) % {"size": max_upload_megabytes()}
            self.fields["file"].widget.attrs["accept"] = "application/pdf,.pdf"
        if "cover" in self.fields:
            self.fields["cover"].help_text = _(
                "JPEG, PNG or WebP; a 400-pixel-wide thumbnail is made from it."
            )
            self.fields["cover"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):
            validate_pdf(upload)
        return upload

    def clean_cover(self):
        upload = self.cleaned_data.get("cover")
        if isinstance(upload, UploadedFile):
            validate_cover_image(upload)
        return upload

    def clean_media_file(self):
        upload = self.cleaned_data.get("media_file")
        if isinstance(upload, UploadedFile):
            validate_media(upload)
        return upload

    def clean_body(self) -> str:
        return publication_body_clean(self.cleaned_data.get("body") or "")

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        published_on = cleaned.get("published_on")
        dates_changed = {"status", "published_on"} & set(self.changed_data)
        if (
            status == PublicationStatus.SCHEDULED
            and published_on
            and dates_changed
            and published_on < timezone.localdate()
        ):
            self.add_error(
                "published_on",
                _("A scheduled publication needs today's date or a later one."),
            )
        if cleaned.get("kind") in MEDIA_KINDS and not (
            cleaned.get("media_url") or cleaned.get("media_file") or cleaned.get("file")
        ):
            self.add_error("media_url", _("A podcast or a replay needs the link to its media."))
        return cleaned


class PublicationScheduleForm(forms.Form):
    publish_on = forms.DateField(
        label=_("Publication date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The publications go online automatically on that day."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"publish_on": timezone.localdate() + timedelta(days=1)})
        super().__init__(*args, **kwargs)

    def clean_publish_on(self):
        publish_on = self.cleaned_data["publish_on"]
        if publish_on < timezone.localdate():
            raise forms.ValidationError(_("Choose today's date or a later one."))
        return publish_on


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleaned to a list (empty when none is given)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_clean = super().clean
        if isinstance(data, list | tuple):
            return [single_clean(item, initial) for item in data if item]
        return [single_clean(data, initial)] if data else []


class PublicationImportOptionsForm(forms.Form):
    """Beside the spreadsheet of the publications import: their PDFs, and whether the new
    ones wait as drafts."""

    archive = forms.FileField(
        label=_("ZIP archive of the PDFs"),
        required=False,
        help_text=_("The PDF files named in the « File » column."),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    files = MultipleFileField(
        label=_("Or the PDF files themselves"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    as_draft = forms.BooleanField(
        label=_("Import as drafts"),
        required=False,
        help_text=_(
            "Unticked, a new publication dated today or earlier is published and a later "
            "one is scheduled."
        ),
    )

    def clean_archive(self):
        archive = self.cleaned_data.get("archive")
        if archive:
            try:
                with zipfile.ZipFile(archive) as bundle:
                    archive_entries(bundle)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
                raise forms.ValidationError(_("The archive is not a readable ZIP file.")) from None
            archive.seek(0)
        return archive

    def clean_files(self):
        return self.cleaned_data.get("files") or []
