"""What the OAI-PMH endpoint exposes: published publications, their sets and Dublin Core."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import DateTimeField, F, Func, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Greatest
from django.utils.translation import gettext_lazy as _

from members.models import Organisation
from portal.core.models import Department, Theme
from portal.core.text import xml_clean
from publications.models import Publication, PublicationKind

SET_ROOT = "kind"
SET_PREFIX = f"{SET_ROOT}:"
ROOT_SET_NAME = _("Publications by kind")

# DCMI Type Vocabulary term of each kind (Text unless the kind is audio or video).
DCMI_TYPES = {PublicationKind.PODCAST: "Sound", PublicationKind.REPLAY: "MovingImage"}

# The value as a string without characters XML 1.0 forbids.
clean_text = xml_clean


def public_url(publication: Publication) -> str:
    """The absolute URL of the publication's public page."""
    return settings.SITE_URL + publication.get_absolute_url()


def repository_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def oai_identifier(pk: int) -> str:
    return f"oai:{repository_host()}:publication:{pk}"


def parse_identifier(identifier: str) -> int | None:
    """The primary key named by an identifier of this repository, or None."""
    prefix = f"oai:{repository_host()}:publication:"
    if not identifier.startswith(prefix):
        return None
    local = identifier.removeprefix(prefix)
    if not (local.isascii() and local.isdigit()) or len(local) > 18:
        return None
    return int(local)


class _LocalMidnight(Func):
    """published_on at 00:00 in the site's time zone, as a timestamptz (PostgreSQL)."""

    template = "(%(expressions)s)"
    arg_joiner = "::timestamp AT TIME ZONE "
    output_field = DateTimeField()


def harvestable() -> QuerySet[Publication]:
    """Published publications, annotated with their OAI datestamp.

    The datestamp is the last change, or the moment the publication became public
    when that is later (a publication dated in the future appears on its date
    without being saved again), so incremental harvests (from=...) never miss it.
    """
    became_public = _LocalMidnight(F("published_on"), Value(settings.TIME_ZONE))
    return Publication.objects.published().annotate(
        datestamp=Greatest(F("updated_at"), became_public, output_field=DateTimeField())
    )


def with_metadata(queryset: QuerySet[Publication]) -> QuerySet[Publication]:
    return queryset.prefetch_related(
        Prefetch("themes", queryset=Theme.objects.only("name")),
        Prefetch("departments", queryset=Department.objects.only("name")),
        Prefetch("coproducers", queryset=Organisation.objects.only("name")),
    )


def published_record(pk: int | None) -> Publication | None:
    if pk is None:
        return None
    return with_metadata(harvestable().filter(pk=pk)).first()


def earliest_datestamp() -> datetime | None:
    first = harvestable().order_by("datestamp").values_list("datestamp", flat=True).first()
    return first


# Sets ---------------------------------------------------------------------------------


def set_spec(kind: str) -> str:
    return f"{SET_PREFIX}{kind}"


def all_sets() -> list[tuple[str, str]]:
    """(setSpec, setName) pairs: the root set, then one set per kind."""
    sets = [(SET_ROOT, str(ROOT_SET_NAME))]
    sets += [(set_spec(kind), str(label)) for kind, label in PublicationKind.choices]
    return sets


def filter_by_set(queryset: QuerySet[Publication], spec: str | None) -> QuerySet[Publication]:
    """Only the records of the set; none for a set this repository does not define."""
    if spec is None or spec == SET_ROOT:
        return queryset
    kind = spec.removeprefix(SET_PREFIX) if spec.startswith(SET_PREFIX) else None
    if kind not in PublicationKind.values:
        return queryset.none()
    return queryset.filter(kind=kind)


def after(
    queryset: QuerySet[Publication], datestamp: datetime | None, pk: int | None
) -> QuerySet[Publication]:
    """The records after a keyset position, in (datestamp, pk) order."""
    if datestamp is not None and pk is not None:
        queryset = queryset.filter(Q(datestamp__gt=datestamp) | Q(datestamp=datestamp, pk__gt=pk))
    return queryset.order_by("datestamp", "pk")


# Dublin Core --------------------------------------------------------------------------


def dublin_core(publication: Publication, *, publisher: str) -> list[tuple[str, str]]:
    """(element, value) pairs of the oai_dc record, in the usual DC order.

    Expects themes, departments and coproducers prefetched (see with_metadata).
    """
    elements: list[tuple[str, str]] = [("title", publication.title)]
    elements += [("creator", name) for name in publication.author_names]
    elements += [("subject", theme.name) for theme in publication.themes.all()]
    if publication.summary:
        elements.append(("description", publication.summary))
    if publisher:
        elements.append(("publisher", publisher))
    elements += [("contributor", org.name) for org in publication.coproducers.all()]
    elements.append(("date", publication.published_on.isoformat()))
    elements.append(("type", str(publication.get_kind_display())))
    elements.append(("type", DCMI_TYPES.get(publication.kind, "Text")))
    if publication.file:
        elements.append(("format", "application/pdf"))
    elements.append(("identifier", public_url(publication)))
    if publication.media_url:
        elements.append(("relation", publication.media_url))
    elements.append(("language", "fr"))
    elements += [("coverage", department.name) for department in publication.departments.all()]
    return [(name, clean_text(value)) for name, value in elements]
