"""Saving checked lines of the info-doc import (requests.py): in bulk, in the engine's
transaction, without sending anything.

In order: the organisations and people the file adds (and the empty details it completes
in the directory), the references of the new requests, the requests, their themes, their
status history, and one audit entry per request as the services write them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _

from infodoc.imports.readers import ORGANISATION_KINDS, OWN_REFERENCE, S
from infodoc.models import InfoRequest, StatusChange
from infodoc.services.intake import ACTOR_TYPES
from infodoc.services.requests import references_take
from members.models import ActorType, Organisation, OrganisationKind, Person
from portal.core.services import audit_log_many
from portal.core.sheets.engine import Row

BATCH = 1000
# The hours the history gives to a day received and to a day answered.
RECEIVED_HOUR, ANSWERED_HOUR = 9, 17
UPDATED = [
    "received_on", "channel", "person", "organisation", "requester_kind", "commune", "epci",
    "department", "subject", "question", "status", "assignee", "response_types", "answer",
    "answered_on", "updated_at",
]  # fmt: skip


def requests_save(*, importer, rows: list[Row]) -> None:
    """Write the lines `importer` checked (new or changed ones only)."""
    plans = [(row, importer.plans[row.line]) for row in rows]
    now = timezone.now()
    _organisations_add(plans)
    _people_save(plans, now)
    requests = _requests_create(importer, plans) + _requests_update(plans, now)
    _themes_save(requests)
    _history_save(requests, now)
    _audit(importer.actor, requests)


def _organisations_add(plans) -> None:
    added: dict[str, Organisation] = {}
    for row, plan in plans:
        key = plan.organisation_key
        if key and key not in added:
            added[key] = Organisation(
                name=row.values["organisation"],
                kind=ORGANISATION_KINDS.get(plan.fields["requester_kind"], OrganisationKind.OTHER),
                department_id=plan.fields["department_id"],
            )
    Organisation.objects.bulk_create(list(added.values()), batch_size=BATCH)
    for _row, plan in plans:
        if plan.organisation_key:
            plan.organisation = added[plan.organisation_key]
            plan.fields["organisation_id"] = plan.organisation.pk


def _people_save(plans, now: datetime) -> None:
    """Add the people the directory does not know; complete the empty details of those
    it knows (address, organisation, département), never overwriting one."""
    added: dict[object, Person] = {}
    completed: dict[int, Person] = {}
    for row, plan in plans:
        values, fields = row.values, plan.fields
        person = plan.person or added.get(plan.person_key)
        if person is None:
            person = added[plan.person_key] = Person(
                first_name=values["first_name"] or "",
                last_name=values["last_name"] or "",
                actor_type=ACTOR_TYPES.get(fields["requester_kind"], ActorType.OTHER),
            )
        details = {
            "email": values["email"] or "",
            "organisation_id": plan.organisation.pk if plan.organisation else None,
            "department_id": fields["department_id"],
        }
        for name, value in details.items():
            if value and not getattr(person, name):
                setattr(person, name, value)
                if person.pk:
                    completed[person.pk] = person
        plan.person = person
    Person.objects.bulk_create(list(added.values()), batch_size=BATCH)
    for person in completed.values():
        person.updated_at = now
    Person.objects.bulk_update(
        list(completed.values()),
        ["email", "organisation", "department", "updated_at"],
        batch_size=BATCH,
    )
    for _row, plan in plans:
        plan.fields["person_id"] = plan.person.pk


def _references(plans) -> None:
    """The references of the new requests: the file's own, else the next of their year.
    A reference of the portal's format the file gives moves its year's counter past it."""
    after: dict[int, int] = defaultdict(int)
    needing: dict[int, list] = defaultdict(list)
    for row, plan in plans:
        given = row.values["reference"]
        own = OWN_REFERENCE.fullmatch(given or "")
        if own:
            year = int(own.group(1))
            after[year] = max(after[year], int(own.group(2)))
        if given:
            plan.fields["reference"] = given
        else:
            needing[plan.fields["received_on"].year].append(plan)
    for year in sorted(set(after) | set(needing)):
        taken = references_take(year=year, count=len(needing[year]), after=after[year])
        for plan, reference in zip(needing[year], taken, strict=True):
            plan.fields["reference"] = reference


def _requests_create(importer, plans) -> list[tuple[InfoRequest, object]]:
    new = [(row, plan) for row, plan in plans if row.record is None]
    _references(new)
    requests = [(InfoRequest(**plan.fields), plan) for _row, plan in new]
    for start in range(0, len(requests), BATCH):
        InfoRequest.objects.bulk_create(
            [request for request, _plan in requests[start : start + BATCH]]
        )
        importer.progress("saving", min(start + BATCH, len(requests)), len(plans))
    return requests


def _requests_update(plans, now: datetime) -> list[tuple[InfoRequest, object]]:
    requests = []
    for row, plan in plans:
        if row.record is None:
            continue
        for name, value in plan.fields.items():
            setattr(row.record, name, value)
        row.record.updated_at = now
        requests.append((row.record, plan))
    InfoRequest.objects.bulk_update([r for r, _plan in requests], UPDATED, batch_size=BATCH)
    return requests


def _themes_save(requests) -> None:
    """The themes the file gives replace the request's; none given keeps them."""
    through = InfoRequest.themes.through
    replaced = [(request, plan) for request, plan in requests if plan.themes is not None]
    through.objects.filter(
        inforequest_id__in=[request.pk for request, plan in replaced if plan.before]
    ).delete()
    through.objects.bulk_create(
        [
            through(inforequest_id=request.pk, theme_id=theme)
            for request, plan in replaced
            for theme in plan.themes
        ],
        batch_size=BATCH,
    )


def _moment(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _history_save(requests, now: datetime) -> None:
    """The status changes from where each request was to where the file says it is:
    in progress or without follow-up on the day received, answered and closed on the day
    answered, after the history it already has, never in the future."""
    changes, moments = [], []
    note = _("Imported from a spreadsheet")
    for request, plan in requests:
        previous = plan.before or S.NEW
        earliest = plan.last_change
        for step in plan.steps:
            if step in (S.ANSWERED, S.CLOSED):
                moment = _moment(request.answered_on, ANSWERED_HOUR)
            else:
                moment = _moment(request.received_on, RECEIVED_HOUR)
            moment = min(max(moment, earliest) if earliest else moment, now)
            earliest = moment
            changes.append(
                StatusChange(
                    request=request,
                    from_status=previous,
                    to_status=step,
                    changed_by_id=request.assignee_id,
                    note=note,
                )
            )
            moments.append(moment)
            previous = step
    StatusChange.objects.bulk_create(changes, batch_size=BATCH)
    for change, moment in zip(changes, moments, strict=True):
        change.changed_at = moment  # auto_now_add set it to now on insert
    StatusChange.objects.bulk_update(changes, ["changed_at"], batch_size=BATCH)


def _audit(actor, requests) -> None:
    """One entry per request, as the services log a creation or a change of status."""
    entries = []
    for request, plan in requests:
        changes = {"status": [plan.before, request.status], "source": "import"}
        if plan.before:
            changes["fields"] = plan.changed
        else:
            changes["reference"] = request.reference
        entries.append((request, changes))
    audit_log_many(actor=actor, action="info_request.imported", entries=entries)
