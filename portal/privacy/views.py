"""The member space's « My data » page and downloads (RGPD art. 15 and 20).

The subject is always the signed-in user's own directory record: the URLs take no id
nor address, so nobody can ask for another person's data. An account not linked to a
record sees the members app's "not linked" page (and 404 on the downloads).
"""

from __future__ import annotations

from functools import wraps

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.core.space import space_view
from portal.privacy.selectors import (
    export_filename,
    export_json,
    export_pdf,
    export_readable,
    subject_export,
    subject_of_person,
)


def _own_subject(*, download: bool):
    """A member-space page (portal.core.space) about the user's own subject, passed to the
    view as `subject`; the downloads answer 404 to an account without a record."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, person, **kwargs):
            subject = subject_of_person(person=person, user=request.user)
            return view(request, *args, subject=subject, **kwargs)

        return require_GET(space_view("data", unlinked_404=download)(wrapper))

    return decorator


def _attachment(content: bytes, *, content_type: str, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{export_filename(extension=extension)}"'
    )
    return response


@_own_subject(download=False)
def space_data(request, *, subject):
    export = subject_export(subject=subject)
    context = {
        "person": subject.person,
        "organisation": subject.person.organisation,
        "email": subject.email,
        "apps": export_readable(export=export),
    }
    return render(request, "privacy/space_data.html", context)


@_own_subject(download=True)
def space_data_json(request, *, subject):
    content = export_json(export=subject_export(subject=subject))
    return _attachment(content, content_type="application/json; charset=utf-8", extension="json")


@_own_subject(download=True)
def space_data_pdf(request, *, subject):
    content = export_pdf(export=subject_export(subject=subject))
    return _attachment(content, content_type="application/pdf", extension="pdf")
