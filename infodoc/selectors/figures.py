"""Info-doc figures for the annual report and the director dashboard.

Counting rules, as the activity report uses them:

- a request counts in the year it was received (`received_on`), whatever its status;
- requester kinds: shares of the year's requests, adding up to 100;
- themes: a request with several themes counts in each, so each share is a share of the
  year's requests (they may add up to more than 100); requests without a theme are
  counted apart;
- territory: the request's EPCI, or its commune's EPCI when it only names a commune;
  the largest EPCIs are listed, the others grouped, the unknown apart, all adding up to 100;
- outside the centre's area: the request's département, or its commune's, is not one of
  `settings.CENTRE_DEPARTMENTS`; requests with no known département are counted apart
  and left out of the outside-area percentage;
- response time: `answered_on - received_on` in days, over the requests answered; the
  median (the mean of the two middle values when their number is even);
- response types: how many requests got each type (a request may have several).

Three aggregate queries a year (six with the previous year) whatever the amount of data,
returning frozen dataclasses of plain values.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from events.selectors.figures import Share, allocate_percentages, percent_change
from infodoc.models import InfoRequest, RequesterKind, RequestStatus, ResponseType
from portal.core.collation import french_key

OTHER_EPCIS = "other"
UNKNOWN = "unknown"
TOP_EPCIS = 6
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class RequestFigures:
    """A year of info-doc requests; `previous` holds the year before (its own is None)."""

    year: int
    requests: int
    by_requester_kind: tuple[Share, ...]
    # Shares of the year's requests; a request with several themes counts in each.
    by_theme: tuple[Share, ...]
    requests_without_theme: int
    # The largest EPCIs, then « other EPCIs » and « unknown », adding up to 100.
    by_epci: tuple[Share, ...]
    inside_area: int
    outside_area: int
    unknown_area: int
    # outside / (inside + outside), in %, rounded to 0.1; None when no département is known.
    outside_area_percent: Decimal | None
    answered: int
    median_response_days: Decimal | None
    # Requests that got each type of response (shares of the year's requests).
    by_response_type: tuple[Share, ...]
    previous: RequestFigures | None = None
    # Change of the number of requests against `previous`, in %, rounded to 0.1.
    requests_change: Decimal | None = None


class Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5): the mean of the two middle values if even."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


def _percent(count: int, total: int) -> Decimal:
    if not total:
        return Decimal("0.0")
    return (Decimal(count) * 100 / Decimal(total)).quantize(TENTH, rounding=ROUND_HALF_UP)


def _shares(rows: list[tuple[str, str, int]]) -> tuple[Share, ...]:
    """Shares of a whole, adding up to exactly 100."""
    percents = allocate_percentages([count for _key, _label, count in rows])
    return tuple(
        Share(key=key, label=label, count=count, percent=percent)
        for (key, label, count), percent in zip(rows, percents, strict=True)
    )


def _parts(rows: list[tuple[str, str, int]], total: int) -> tuple[Share, ...]:
    """Shares of `total` where an item may count in several rows; largest first."""
    rows = sorted(rows, key=lambda row: (-row[2], french_key(row[1])))
    return tuple(
        Share(key=key, label=label, count=count, percent=_percent(count, total))
        for key, label, count in rows
    )


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _days(value: timedelta | None) -> Decimal | None:
    if value is None:
        return None
    seconds = Decimal(value.days * 86400 + value.seconds)
    return (seconds / 86400).quantize(TENTH, rounding=ROUND_HALF_UP)


def _year_figures(year: int, top_epcis: int) -> dict:
    requests = InfoRequest.objects.filter(received_on__year=year)
    themes_through = InfoRequest.themes.through
    groups = list(
        requests.annotate(
            epci_key=Coalesce("epci_id", "commune__epci_id"),
            epci_name=Coalesce("epci__name", "commune__epci__name"),
            department_code=Coalesce("department__code", "commune__department__code"),
            has_theme=Exists(themes_through.objects.filter(inforequest_id=OuterRef("pk"))),
        )
        .values(
            "requester_kind", "epci_key", "epci_name", "department_code", "has_theme",
            "response_types",
        )
        .annotate(total=Count("pk"))
        .order_by()
    )  # fmt: skip
    themes = list(
        themes_through.objects.filter(inforequest__received_on__year=year)
        .values("theme__slug", "theme__name")
        .annotate(total=Count("inforequest_id", distinct=True))
        .order_by()
    )
    answered = requests.filter(answered_on__isnull=False).aggregate(
        count=Count("pk"),
        median=Median(
            ExpressionWrapper(F("answered_on") - F("received_on"), output_field=DurationField()),
            output_field=DurationField(),
        ),
    )

    centre = set(settings.CENTRE_DEPARTMENTS)
    total = 0
    without_theme = 0
    by_kind: dict[str, int] = defaultdict(int)
    by_epci: dict[int | None, int] = defaultdict(int)
    epci_names: dict[int, str] = {}
    area = {"inside": 0, "outside": 0, UNKNOWN: 0}
    by_response: dict[str, int] = defaultdict(int)
    for row in groups:
        count = row["total"]
        total += count
        by_kind[row["requester_kind"]] += count
        by_epci[row["epci_key"]] += count
        if row["epci_key"] is not None:
            epci_names[row["epci_key"]] = row["epci_name"]
        code = row["department_code"]
        area[UNKNOWN if code is None else "inside" if code in centre else "outside"] += count
        if not row["has_theme"]:
            without_theme += count
        for response_type in set(row["response_types"] or ()):
            by_response[response_type] += count

    kinds = sorted(
        RequesterKind, key=lambda k: (-by_kind.get(k.value, 0), list(RequesterKind).index(k))
    )
    kind_rows = [(k.value, str(k.label), by_kind.get(k.value, 0)) for k in kinds]
    kind_rows += [(key, key, n) for key, n in by_kind.items() if key not in RequesterKind.values]

    known = sorted(
        ((pk, n) for pk, n in by_epci.items() if pk is not None),
        key=lambda item: (-item[1], french_key(epci_names[item[0]])),
    )
    epci_rows = [(str(pk), epci_names[pk], n) for pk, n in known[:top_epcis]]
    others = sum(n for _pk, n in known[top_epcis:])
    if others:
        epci_rows.append((OTHER_EPCIS, _("Other EPCIs"), others))
    if by_epci.get(None):
        epci_rows.append((UNKNOWN, _("Unknown territory"), by_epci[None]))

    located = area["inside"] + area["outside"]
    return {
        "year": year,
        "requests": total,
        "by_requester_kind": _shares(kind_rows),
        "by_theme": _parts(
            [(row["theme__slug"], row["theme__name"], row["total"]) for row in themes], total
        ),
        "requests_without_theme": without_theme,
        "by_epci": _shares(epci_rows),
        "inside_area": area["inside"],
        "outside_area": area["outside"],
        "unknown_area": area[UNKNOWN],
        "outside_area_percent": _percent(area["outside"], located) if located else None,
        "answered": answered["count"],
        "median_response_days": _days(answered["median"]),
        "by_response_type": _parts(
            [(key, _label(ResponseType, key), n) for key, n in by_response.items()], total
        ),
    }


def request_figures(
    *, year: int, top_epcis: int = TOP_EPCIS, with_previous: bool = True
) -> RequestFigures:
    """The year's info-doc requests, with the year before for comparison.

    Six queries with the previous year, three without, whatever the amount of data.
    """
    current = _year_figures(year, top_epcis)
    if not with_previous:
        return RequestFigures(**current)
    previous = RequestFigures(**_year_figures(year - 1, top_epcis))
    return RequestFigures(
        **current,
        previous=previous,
        requests_change=percent_change(current["requests"], previous.requests),
    )


# The requests behind the figures, one row each, for the report's spreadsheets. Directors
# share these tables, so a row carries no personal data: no requester, no organisation, no
# contact, no subject, question or answer; only what the figures count.


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def request_rows(*, year: int) -> list[dict]:
    """Requests received in `year`, oldest first; 2 queries whatever the amount of data.

    Each row: reference, received_on, requester_kind, requester_kind_label, themes (names),
    department_code, department, epci, status, status_label, answered_on, response_days.
    """
    requests = list(
        InfoRequest.objects.filter(received_on__year=year)
        .annotate(
            department_key=Coalesce("department__code", "commune__department__code"),
            department_name=Coalesce("department__name", "commune__department__name"),
            epci_name=Coalesce("epci__name", "commune__epci__name"),
        )
        .order_by("received_on", "reference")
        .values(
            "pk", "reference", "received_on", "requester_kind", "department_key",
            "department_name", "epci_name", "status", "answered_on",
        )
    )  # fmt: skip
    themes: dict[int, list[str]] = {}
    for request_id, name in (
        InfoRequest.themes.through.objects.filter(inforequest__received_on__year=year)
        .order_by("theme__name")
        .values_list("inforequest_id", "theme__name")
    ):
        themes.setdefault(request_id, []).append(name)
    return [
        {
            "reference": row["reference"],
            "received_on": row["received_on"],
            "requester_kind": row["requester_kind"],
            "requester_kind_label": _label(RequesterKind, row["requester_kind"]),
            "themes": tuple(themes.get(row["pk"], ())),
            "department_code": row["department_key"] or "",
            "department": row["department_name"] or "",
            "epci": row["epci_name"] or "",
            "status": row["status"],
            "status_label": _label(RequestStatus, row["status"]),
            "answered_on": row["answered_on"],
            "response_days": (
                (row["answered_on"] - row["received_on"]).days if row["answered_on"] else None
            ),
        }
        for row in requests
    ]
