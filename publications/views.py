"""Public pages of the publications: the list with search and facets, the detail, the file.

Thin: parse the request, call publications.selectors.catalogue, render.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from portal.core.files import file_response
from portal.core.models import SiteSettings
from publications.filters import FACETS, PublicationFilter
from publications.models import Publication, PublicationKind
from publications.search import normalise_query
from publications.selectors.catalogue import (
    publication_detail,
    publication_file,
    publication_list,
    publication_related,
    publication_with_relations,
)
from publications.services import publication_download_record

# schema.org type of each kind; CreativeWork for the others.
SCHEMA_TYPES = {
    PublicationKind.PODCAST: "PodcastEpisode",
    PublicationKind.REPLAY: "VideoObject",
    PublicationKind.PROCEEDINGS: "Report",
    PublicationKind.SYNTHESIS: "Report",
    PublicationKind.STUDY: "Report",
    PublicationKind.DOSSIER: "Report",
    PublicationKind.TEACHING_KIT: "LearningResource",
}


# The first option of each facet's select.
ALL_LABELS = {
    "kind": _("All kinds"),
    "theme": _("All themes"),
    "year": _("All years"),
    "territory": _("All territories"),
}


def _is_preview(request) -> bool:
    return request.GET.get("preview") == "1" and request.user.is_staff


@require_safe
def publication_list_view(request):
    filterset = PublicationFilter(request.GET)
    listing = publication_list(
        filterset=filterset,
        q=normalise_query(request.GET.get("q")),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        page=request.GET.get("page"),
    )
    context = {
        "listing": listing,
        "facet_fields": [
            (name, filterset.filters[name].label, ALL_LABELS[name], listing.facets[name])
            for name in FACETS
        ],
        "ignored": filterset.ignored,
        "filtered": bool(filterset.cleaned()),
    }
    return render(request, "publications/list.html", context)


@require_safe
def publication_detail_view(request, slug: str):
    preview = _is_preview(request)
    publication = publication_detail(slug=slug, include_unpublished=preview)
    if publication is None:
        raise Http404
    # What the publication is linked to is shown in parts of the page kept in the fragments
    # cache (the JSON-LD, the facts, the actions, the related publications): read only when
    # one of them is rendered again.
    linked = SimpleLazyObject(lambda: publication_with_relations(publication=publication))
    context = {
        "publication": publication,
        "linked": linked,
        "related": SimpleLazyObject(lambda: publication_related(publication=linked)),
        "file_size": _file_size(publication),
        "author_names": publication.author_names,
        "is_preview": preview,
        "json_ld": SimpleLazyObject(lambda: _json_ld(_schema_org(linked))),
    }
    response = render(request, "publications/detail.html", context)
    if preview:
        add_never_cache_headers(response)
    return response


@require_safe
def publication_download(request, slug: str):
    """The publication's PDF; each GET of a published one counts a download."""
    preview = _is_preview(request)
    publication = publication_file(slug=slug, include_unpublished=preview)
    if publication is None or not publication.file:
        raise Http404
    response = file_response(
        publication.file, as_attachment=True, filename=f"{slug}.pdf", content_type="application/pdf"
    )
    if not preview and request.method == "GET":
        publication_download_record(publication=publication)
    if preview:
        add_never_cache_headers(response)
    return response


@require_safe
def publication_media(request, slug: str):
    """The publication's audio or video file, played by the page's <audio> or <video>."""
    preview = _is_preview(request)
    publication = publication_file(slug=slug, include_unpublished=preview)
    if publication is None or publication.media_content_type is None:
        raise Http404
    response = file_response(
        publication.media_file, as_attachment=False, content_type=publication.media_content_type
    )
    if preview:
        add_never_cache_headers(response)
    return response


def _file_size(publication: Publication) -> int | None:
    if not publication.file:
        return None
    try:
        return publication.file.size
    except OSError:
        return None


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _schema_org(publication: Publication) -> dict:
    """schema.org metadata of a publication, as a JSON-LD object."""
    site = SiteSettings.load()
    publisher = {"@type": "Organization", "name": site.name, "url": _absolute("/")}
    authors = [{"@type": "Person", "name": name} for name in publication.author_names]
    data = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES.get(publication.kind, "CreativeWork"),
        "name": publication.title,
        "headline": publication.title[:110],
        "url": _absolute(publication.get_absolute_url()),
        "datePublished": publication.published_on.isoformat(),
        "dateModified": timezone.localdate(publication.updated_at).isoformat(),
        "inLanguage": "fr",
        "genre": publication.get_kind_display(),
        "author": authors or [publisher],
        "publisher": publisher,
        "about": [{"@type": "Thing", "name": theme.name} for theme in publication.themes.all()],
    }
    if publication.summary:
        data["description"] = publication.summary
    if coproducers := publication.coproducers.all():
        data["contributor"] = [{"@type": "Organization", "name": o.name} for o in coproducers]
    if departments := publication.departments.all():
        data["spatialCoverage"] = [
            {"@type": "AdministrativeArea", "name": d.name, "identifier": d.code}
            for d in departments
        ]
    if image := publication.cover or publication.thumbnail:
        data["image"] = _absolute(image.url)
    if publication.file:
        data["encoding"] = {
            "@type": "MediaObject",
            "encodingFormat": "application/pdf",
            "contentUrl": _absolute(reverse("publications:download", args=[publication.slug])),
        }
    if publication.is_media and publication.media_url:
        data["sameAs"] = publication.media_url
    return data


def _json_ld(data: dict) -> str:
    """JSON for a <script type="application/ld+json"> block: <, > and & escaped."""
    text = json.dumps(data, ensure_ascii=False, indent=None)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 - the characters that could close the block are escaped
