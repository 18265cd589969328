"""The six OAI-PMH verbs.

Each verb checks its arguments and reads the database first (raising OAIError), then
returns a function that writes its element; so an error never leaves half a response.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.models import SiteSettings
from publications.models import Publication
from publications.oai import protocol, records
from publications.oai.protocol import (
    OAI_DC,
    OAI_DC_NS,
    OAI_DC_SCHEMA,
    OAI_IDENTIFIER_NS,
    OAI_IDENTIFIER_SCHEMA,
    XSI_NS,
    ListState,
    OAIError,
)
from publications.oai.writer import ResponseWriter

Body = Callable[[ResponseWriter], None]

# The repositoryIdentifier of the oai-identifier scheme must look like a domain name.
_DOMAIN = re.compile(r"[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+")


def _cannot_disseminate(prefix: str) -> OAIError:
    return OAIError(
        "cannotDisseminateFormat",
        _("This metadata format is not supported: %(prefix)s.") % {"prefix": prefix},
    )


def _id_does_not_exist(identifier: str) -> OAIError:
    return OAIError(
        "idDoesNotExist",
        _("No published record has this identifier: %(identifier)s.") % {"identifier": identifier},
    )


def _admin_email(site: SiteSettings) -> str:
    return site.email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def identify(arguments: dict[str, str], base_url: str) -> Body:
    site = SiteSettings.load()
    earliest = records.earliest_datestamp() or timezone.now()
    host = records.repository_host()

    def write(out: ResponseWriter) -> None:
        with out.element("Identify"):
            out.leaf("repositoryName", site.name)
            out.leaf("baseURL", base_url)
            out.leaf("protocolVersion", "2.0")
            out.leaf("adminEmail", _admin_email(site))
            out.leaf("earliestDatestamp", protocol.format_datestamp(earliest))
            out.leaf("deletedRecord", "no")
            out.leaf("granularity", protocol.GRANULARITY)
            if _DOMAIN.fullmatch(host):
                with out.element("description"):
                    attrs = {
                        "xmlns": OAI_IDENTIFIER_NS,
                        "xmlns:xsi": XSI_NS,
                        "xsi:schemaLocation": f"{OAI_IDENTIFIER_NS} {OAI_IDENTIFIER_SCHEMA}",
                    }
                    with out.element("oai-identifier", attrs):
                        out.leaf("scheme", "oai")
                        out.leaf("repositoryIdentifier", host)
                        out.leaf("delimiter", ":")
                        out.leaf("sampleIdentifier", records.oai_identifier(1))

    return write


def list_metadata_formats(arguments: dict[str, str], base_url: str) -> Body:
    identifier = arguments.get("identifier")
    if identifier is not None:
        pk = records.parse_identifier(identifier)
        if pk is None or not records.harvestable().filter(pk=pk).exists():
            raise _id_does_not_exist(identifier)

    def write(out: ResponseWriter) -> None:
        with out.element("ListMetadataFormats"), out.element("metadataFormat"):
            out.leaf("metadataPrefix", OAI_DC)
            out.leaf("schema", OAI_DC_SCHEMA)
            out.leaf("metadataNamespace", OAI_DC_NS)

    return write


def list_sets(arguments: dict[str, str], base_url: str) -> Body:
    if protocol.RESUMPTION_TOKEN in arguments:
        # The list of sets always fits in one response: no token was ever issued.
        raise OAIError("badResumptionToken", _("The resumption token is invalid or has expired."))
    sets = records.all_sets()

    def write(out: ResponseWriter) -> None:
        with out.element("ListSets"):
            for spec, name in sets:
                with out.element("set"):
                    out.leaf("setSpec", spec)
                    out.leaf("setName", name)

    return write


def _header(out: ResponseWriter, publication: Publication) -> None:
    out.header(
        records.oai_identifier(publication.pk),
        protocol.format_datestamp(publication.datestamp),
        [records.set_spec(publication.kind)],
    )


def _record(out: ResponseWriter, publication: Publication, publisher: str) -> None:
    with out.element("record"):
        _header(out, publication)
        with out.element("metadata"):
            out.oai_dc(records.dublin_core(publication, publisher=publisher))


def _list_state(verb: str, arguments: dict[str, str]) -> ListState:
    if protocol.RESUMPTION_TOKEN in arguments:
        return protocol.token_loads(arguments[protocol.RESUMPTION_TOKEN], verb)
    lower, upper = protocol.date_range(arguments.get("from"), arguments.get("until"))
    prefix = arguments["metadataPrefix"]
    if prefix != OAI_DC:
        raise _cannot_disseminate(prefix)
    return ListState(
        verb=verb, metadata_prefix=prefix, lower=lower, upper=upper, set_spec=arguments.get("set")
    )


def _list(verb: str, arguments: dict[str, str], *, full: bool) -> Body:
    """ListIdentifiers (full=False) and ListRecords (full=True), one page at a time.

    Pages follow (datestamp, pk) order from a keyset position carried by the token,
    so each record is listed once even when records are added during the harvest
    (a record changed during the harvest moves to the end and is listed again).
    """
    state = _list_state(verb, arguments)
    queryset = records.filter_by_set(records.harvestable(), state.set_spec)
    if state.lower is not None:
        queryset = queryset.filter(datestamp__gte=state.lower)
    if state.upper is not None:
        queryset = queryset.filter(datestamp__lt=state.upper)
    remaining = records.after(queryset, state.after_datestamp, state.after_pk)
    if full:
        remaining = records.with_metadata(remaining)
    size = protocol.page_size()
    page = list(remaining[: size + 1])
    if not page:
        raise OAIError("noRecordsMatch", _("No record matches the combination of arguments given."))
    more = len(page) > size
    page = page[:size]
    complete_size = state.cursor + (remaining.count() if more else len(page))
    token = ""
    if more:
        last = page[-1]
        next_state = ListState(
            verb=verb,
            metadata_prefix=state.metadata_prefix,
            lower=state.lower,
            upper=state.upper,
            set_spec=state.set_spec,
            cursor=state.cursor + len(page),
            after_datestamp=last.datestamp,
            after_pk=last.pk,
        )
        token = protocol.token_dumps(next_state)
    publisher = SiteSettings.load().name if full else ""

    def write(out: ResponseWriter) -> None:
        with out.element(verb):
            for publication in page:
                if full:
                    _record(out, publication, publisher)
                else:
                    _header(out, publication)
            if more or state.cursor:
                attrs = {"completeListSize": complete_size, "cursor": state.cursor}
                if more:
                    expires = timezone.now() + protocol.TOKEN_MAX_AGE
                    attrs["expirationDate"] = protocol.format_datestamp(expires)
                out.leaf(protocol.RESUMPTION_TOKEN, token, attrs)

    return write


def list_identifiers(arguments: dict[str, str], base_url: str) -> Body:
    return _list("ListIdentifiers", arguments, full=False)


def list_records(arguments: dict[str, str], base_url: str) -> Body:
    return _list("ListRecords", arguments, full=True)


def get_record(arguments: dict[str, str], base_url: str) -> Body:
    identifier = arguments["identifier"]
    publication = records.published_record(records.parse_identifier(identifier))
    if publication is None:
        raise _id_does_not_exist(identifier)
    if arguments["metadataPrefix"] != OAI_DC:
        raise _cannot_disseminate(arguments["metadataPrefix"])
    publisher = SiteSettings.load().name

    def write(out: ResponseWriter) -> None:
        with out.element("GetRecord"):
            _record(out, publication, publisher)

    return write


VERBS: dict[str, Callable[[dict[str, str], str], Body]] = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "ListIdentifiers": list_identifiers,
    "ListRecords": list_records,
    "GetRecord": get_record,
}
