"""OAI-PMH 2.0 protocol rules: verbs and their arguments, dates, resumption tokens, errors.

Specification: https://www.openarchives.org/OAI/openarchivesprotocol.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
OAI_IDENTIFIER_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_IDENTIFIER_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

OAI_DC = "oai_dc"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
DATESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

# Records per ListRecords / ListIdentifiers response; settings.OAI_PAGE_SIZE wins when set.
PAGE_SIZE = 100
# How long a resumption token stays valid.
TOKEN_MAX_AGE = timedelta(days=1)
TOKEN_SALT = "publications.oai.resumption-token"  # noqa: S105 (a signing salt)
TOKEN_VERSION = 1

RESUMPTION_TOKEN = "resumptionToken"  # noqa: S105 (an argument name)


@dataclass(frozen=True)
class VerbArguments:
    required: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()
    exclusive: str | None = None


_LIST_ARGUMENTS = VerbArguments(
    required=frozenset({"metadataPrefix"}),
    optional=frozenset({"from", "until", "set"}),
    exclusive=RESUMPTION_TOKEN,
)
VERBS: dict[str, VerbArguments] = {
    "Identify": VerbArguments(),
    "ListMetadataFormats": VerbArguments(optional=frozenset({"identifier"})),
    "ListSets": VerbArguments(exclusive=RESUMPTION_TOKEN),
    "ListIdentifiers": _LIST_ARGUMENTS,
    "ListRecords": _LIST_ARGUMENTS,
    "GetRecord": VerbArguments(required=frozenset({"identifier", "metadataPrefix"})),
}

# Error codes after which the request element must not echo the arguments.
NO_ECHO_CODES = frozenset({"badVerb", "badArgument"})


class OAIError(Exception):
    """A protocol error: rendered as <error code="...">message</error>."""

    def __init__(self, code: str, message: str | Promise) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message


def bad_argument(message: str | Promise) -> OAIError:
    return OAIError("badArgument", message)


def page_size() -> int:
    return int(getattr(settings, "OAI_PAGE_SIZE", PAGE_SIZE))


def parse_request(query: QueryDict) -> tuple[str, dict[str, str]]:
    """The verb and its arguments, or OAIError (badVerb first, then badArgument)."""
    verbs = query.getlist("verb")
    if not verbs or verbs == [""]:
        raise OAIError("badVerb", _("The verb argument is missing."))
    if len(verbs) > 1:
        raise OAIError("badVerb", _("The verb argument is repeated."))
    verb = verbs[0]
    if verb not in VERBS:
        raise OAIError("badVerb", _("This is not a legal OAI-PMH verb."))

    arguments: dict[str, str] = {}
    for name in query:
        if name == "verb":
            continue
        values = query.getlist(name)
        if len(values) > 1:
            raise bad_argument(_("An argument is repeated: %(name)s.") % {"name": name})
        if not values[0].strip():
            raise bad_argument(_("An argument has no value: %(name)s.") % {"name": name})
        arguments[name] = values[0]

    rules = VERBS[verb]
    allowed = rules.required | rules.optional | ({rules.exclusive} if rules.exclusive else set())
    illegal = sorted(set(arguments) - allowed)
    if illegal:
        raise bad_argument(
            _("Illegal argument for this verb: %(names)s.") % {"names": ", ".join(illegal)}
        )
    if rules.exclusive and rules.exclusive in arguments:
        if len(arguments) > 1:
            raise bad_argument(_("The resumptionToken argument must be used alone."))
        return verb, arguments
    missing = sorted(rules.required - set(arguments))
    if missing:
        raise bad_argument(
            _("Required argument missing: %(names)s.") % {"names": ", ".join(missing)}
        )
    return verb, arguments


# Dates ------------------------------------------------------------------------------

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_SECONDS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", re.ASCII)


def format_datestamp(moment: datetime) -> str:
    """UTC, to the second (truncated), as OAI-PMH wants it."""
    return moment.astimezone(UTC).strftime(DATESTAMP_FORMAT)


def parse_datestamp(value: str, argument: str) -> tuple[datetime, timedelta]:
    """A UTC datetime and the span of the granularity used (one day or one second)."""
    try:
        if _DAY.fullmatch(value):
            day = date.fromisoformat(value)
            return datetime(day.year, day.month, day.day, tzinfo=UTC), timedelta(days=1)
        if _SECONDS.fullmatch(value):
            moment = datetime.strptime(value, DATESTAMP_FORMAT).replace(tzinfo=UTC)
            return moment, timedelta(seconds=1)
    except ValueError:
        pass
    raise bad_argument(
        _("The %(argument)s argument is not a valid date: %(value)s.")
        % {"argument": argument, "value": value}
    )


def date_range(
    from_value: str | None, until_value: str | None
) -> tuple[datetime | None, datetime | None]:
    """The [lower, upper) datetime bounds of a from/until pair (both inclusive in OAI)."""
    lower = upper = None
    if from_value is not None:
        lower, from_span = parse_datestamp(from_value, "from")
    if until_value is not None:
        until, until_span = parse_datestamp(until_value, "until")
        if lower is not None:
            if from_span != until_span:
                raise bad_argument(
                    _("The from and until arguments must have the same granularity.")
                )
            if lower > until:
                raise bad_argument(_("The from argument is later than the until argument."))
        try:
            upper = until + until_span
        except OverflowError:
            upper = None
    return lower, upper


# Resumption tokens -------------------------------------------------------------------


@dataclass(frozen=True)
class ListState:
    """Where a list request stands: its query and the keyset position of the next page."""

    verb: str
    metadata_prefix: str
    lower: datetime | None = None
    upper: datetime | None = None
    set_spec: str | None = None
    cursor: int = 0
    after_datestamp: datetime | None = None
    after_pk: int | None = None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def token_dumps(state: ListState) -> str:
    """An opaque, signed, timestamped token for the state."""
    payload = {
        "v": TOKEN_VERSION,
        "verb": state.verb,
        "p": state.metadata_prefix,
        "l": _iso(state.lower),
        "u": _iso(state.upper),
        "s": state.set_spec,
        "c": state.cursor,
        "d": _iso(state.after_datestamp),
        "k": state.after_pk,
    }
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


def token_loads(token: str, verb: str) -> ListState:
    """The state of a token issued for this verb; badResumptionToken otherwise."""
    error = OAIError("badResumptionToken", _("The resumption token is invalid or has expired."))
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        raise error from None
    if not isinstance(payload, dict) or payload.get("v") != TOKEN_VERSION:
        raise error
    if payload.get("verb") != verb:
        raise error
    try:
        return ListState(
            verb=verb,
            metadata_prefix=str(payload["p"]),
            lower=_moment(payload["l"]),
            upper=_moment(payload["u"]),
            set_spec=payload["s"],
            cursor=int(payload["c"]),
            after_datestamp=_moment(payload["d"]),
            after_pk=payload["k"],
        )
    except (KeyError, TypeError, ValueError):
        raise error from None
