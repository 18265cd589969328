"""The views of uploaded files: the one that serves private files once it knows who asks,
and the public images (see portal.core.files)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe
from django.views.static import serve

from portal.core.files import (
    PUBLIC_MEDIA_FOLDERS,
    ImageAudience,
    file_readable,
    file_records,
    file_response,
    name_is_safe,
    public_image_audience,
)
from portal.core.roles import is_director, is_staff


@require_safe
@login_required
def private_file(request, name: str):
    """Anonymous visitors go to the login page; a member who may not read the file gets
    404 (nothing says it exists), a team member without the permission 403."""
    records = file_records(name=name)
    for record, file in records:
        if file_readable(user=request.user, record=record):
            response = file_response(file)
            patch_cache_control(response, private=True, no_store=True)
            return response
    if records and (is_staff(request.user) or is_director(request.user)):
        raise PermissionDenied
    raise Http404


@require_safe
def public_media(request, folder: str, name: str):
    """Publication covers and thumbnails, the site's logo, and nothing else: to anyone, but
    an unpublished publication's only to the team (see public_image_register).
    The folder is the served root, so even a name the check let through stays inside it."""
    if folder not in PUBLIC_MEDIA_FOLDERS or not name_is_safe(name):
        raise Http404
    audience = public_image_audience(folder=folder, name=name, user=request.user)
    if audience is ImageAudience.NOBODY:
        raise Http404
    response = serve(request, name, document_root=Path(settings.MEDIA_ROOT) / folder)
    if audience is ImageAudience.THIS_USER:
        patch_cache_control(response, private=True, no_store=True)
    return response
