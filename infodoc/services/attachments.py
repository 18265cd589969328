"""Attachments of info-doc requests keep the title staff gave them as their file name."""

from __future__ import annotations

from functools import partial
from pathlib import PurePosixPath

from django.core.files import File
from django.db import transaction

from infodoc.models import Attachment, attachment_upload_to


@transaction.atomic
def attachment_rename_to_title(*, attachment: Attachment) -> Attachment:
    """Store the file again under its title after staff changed it, so that it is
    downloaded under the name the requester received; the old file goes after commit."""
    old = attachment.file.name
    if not old or PurePosixPath(old).name == attachment.download_name:
        return attachment
    storage = attachment.file.storage
    with storage.open(old, "rb") as handle:
        new = storage.save(attachment_upload_to(attachment, old), File(handle))
    Attachment.objects.filter(pk=attachment.pk).update(file=new)
    attachment.file.name = new
    transaction.on_commit(partial(storage.delete, old))
    return attachment
