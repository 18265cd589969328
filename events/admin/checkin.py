"""The check-in page of a session, for a tablet at the door (staff only).

Mounted by events.admin.sessions under /admin/events/session/<id>/pointage/, so the
admin site checks the staff account first. With htmx, the search refreshes the list
and a tap on a person sends their new presence and gets their row back; without
JavaScript the same forms work by GET and POST + redirect.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from events.admin.forms import HeadcountForm, WalkInForm
from events.models import Attendance, Registration, RegistrationStatus, Session
from events.services.attendance import (
    attendance_add_walk_in,
    attendance_toggle,
    headcount_record,
)
from members.models import Person
from portal.core.text import db_fold, fold

QUERY_MAX_LENGTH = 100
GROUP_ORDER = {
    RegistrationStatus.CONFIRMED: 0,
    RegistrationStatus.REQUESTED: 1,
    RegistrationStatus.WAITLISTED: 2,
}
WALK_IN_GROUP = 3


def name_search(queryset: QuerySet, query: str, prefix: str = "person__") -> QuerySet:
    """Rows whose person's name contains every word of `query` (any case or accent)."""
    words = fold(query).split()
    if not words:
        return queryset
    queryset = queryset.annotate(
        folded_name=db_fold(Concat(F(f"{prefix}first_name"), Value(" "), F(f"{prefix}last_name")))
    )
    for word in words:
        queryset = queryset.filter(folded_name__contains=word)
    return queryset


@dataclass
class CheckinRow:
    person: Person
    registration: Registration | None
    attendance: Attendance | None

    @property
    def present(self) -> bool:
        return bool(self.attendance and self.attendance.present)

    @property
    def is_walk_in(self) -> bool:
        return self.registration is None

    @property
    def group(self) -> int:
        if self.registration is None:
            return WALK_IN_GROUP
        return GROUP_ORDER.get(self.registration.status, WALK_IN_GROUP)

    def sort_key(self) -> tuple:
        return (self.group, fold(self.person.last_name), fold(self.person.first_name))


def checkin_rows(session: Session, query: str = "") -> list[CheckinRow]:
    """Registered people (confirmed first), then walk-ins; two queries whatever the size."""
    registrations = name_search(
        session.registrations.active().select_related("person__organisation"), query
    )
    attendances = {
        attendance.person_id: attendance
        for attendance in name_search(
            session.attendances.select_related("person__organisation"), query
        )
    }
    rows = [
        CheckinRow(registration.person, registration, attendances.pop(registration.person_id, None))
        for registration in registrations
    ]
    rows += [CheckinRow(a.person, None, a) for a in attendances.values()]
    return sorted(rows, key=CheckinRow.sort_key)


def checkin_row(session: Session, person: Person) -> CheckinRow:
    registration = session.registrations.active().filter(person=person).first()
    attendance = (
        session.attendances.filter(person=person).select_related("person__organisation").first()
    )
    return CheckinRow(person, registration, attendance)


def checkin_counts(session: Session) -> dict[str, int]:
    totals = session.attendances.aggregate(
        present_total=Count("pk", filter=Q(present=True)),
        walk_in_total=Count("pk", filter=Q(present=True, is_walk_in=True)),
    )
    return {
        "registered": session.registrations.confirmed().count(),
        "present": totals["present_total"],
        "walk_ins": totals["walk_in_total"],
    }


# Views ------------------------------------------------------------------------------


def _session(request, object_id: int, permission: str = "events.change_attendance") -> Session:
    if not request.user.has_perm(permission):
        raise PermissionDenied
    return get_object_or_404(Session.objects.select_related("action", "commune"), pk=object_id)


def _checkin_url(session: Session, query: str = "", anchor: str = "") -> str:
    url = reverse("admin:events_session_checkin", args=[session.pk])
    if query:
        url += "?" + urlencode({"q": query})
    return url + (f"#{anchor}" if anchor else "")


def _query(request) -> str:
    return request.GET.get("q", request.POST.get("q", "")).strip()[:QUERY_MAX_LENGTH]


def _page(request, session: Session, *, walk_in_form=None, headcount_form=None, status=200):
    query = _query(request)
    headcounts = list(session.headcounts.select_related("department").order_by("department"))
    context = {
        "session": session,
        "action": session.action,
        "query": query,
        "rows": checkin_rows(session, query),
        "counts": checkin_counts(session),
        "walk_in_form": walk_in_form or WalkInForm(),
        "headcount_form": headcount_form or HeadcountForm(),
        "headcounts": headcounts,
        "headcount_total": sum(headcount.count for headcount in headcounts),
        "checkin_url": _checkin_url(session),
    }
    partial = request.htmx and not request.htmx.history_restore_request
    template = "events/checkin.html#list" if partial else "events/checkin.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def checkin_view(request, object_id: int):
    """The list, searchable by name; an htmx search gets the list alone."""
    return _page(request, _session(request, object_id))


@require_POST
def checkin_toggle_view(request, object_id: int, person_id: int):
    """Set one person's presence (`present` = 1 or 0; flipped when absent)."""
    session = _session(request, object_id)
    person = get_object_or_404(Person.objects.select_related("organisation"), pk=person_id)
    wanted = {"1": True, "0": False}.get(request.POST.get("present", ""))
    try:
        attendance = attendance_toggle(
            session=session, person=person, actor=request.user, present=wanted
        )
    except ValidationError:
        raise Http404 from None
    if request.htmx:
        context = {
            "session": session,
            "row": checkin_row(session, person),
            "counts": checkin_counts(session),
            "query": _query(request),
        }
        html = render_to_string("events/checkin.html#row", context, request=request)
        html += render_to_string("events/checkin.html#counts_oob", context, request=request)
        response = HttpResponse(html)
        patch_vary_headers(response, ["HX-Request"])
        return response
    done = _("%(person)s: present.") if attendance.present else _("%(person)s: absent.")
    messages.success(request, done % {"person": person})
    return HttpResponseRedirect(_checkin_url(session, _query(request), f"p-{person.pk}"))


@require_POST
def walk_in_view(request, object_id: int):
    """Add someone who came without registering, present at once."""
    session = _session(request, object_id)
    form = WalkInForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            attendance = attendance_add_walk_in(
                session=session,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                organisation_name=data["organisation"],
                actor_type=data["actor_type"],
                department=data["department"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("%(person)s is checked in as present.") % {"person": attendance.person}
            )
            return HttpResponseRedirect(_checkin_url(session, anchor=f"p-{attendance.person_id}"))
    return _page(request, session, walk_in_form=form, status=422)


@require_POST
def headcount_view(request, object_id: int):
    """Set the number of people counted for a group (no names)."""
    session = _session(request, object_id, "events.change_headcount")
    form = HeadcountForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            headcount_record(
                session=session,
                department=data["department"],
                actor_type=data["actor_type"],
                count=data["count"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The headcount is saved."))
            return HttpResponseRedirect(_checkin_url(session, anchor="comptage"))
    return _page(request, session, headcount_form=form, status=422)
