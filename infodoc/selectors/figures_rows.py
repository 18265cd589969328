"""The info-doc requests behind the year's figures, one row each, for spreadsheets.

Directors share these tables, so a row carries no personal data: no requester, no
organisation, no contact, no subject, question or answer; only what the figures count.
The territory is found as `infodoc.selectors.figures` finds it (the request's own
EPCI or département, else its commune's).
"""

from __future__ import annotations

from django.db.models.functions import Coalesce

from infodoc.models import InfoRequest, RequesterKind, RequestStatus


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
