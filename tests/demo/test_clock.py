"""Every app's demo, loaded at the clock's edge times: nothing that is by nature past lies
in the future, and what is meant to be upcoming is.

The demo is dated from "now" (last year, this year's agenda, this month's newsletter
issue), so an hour of the day, a first day of the month or of the year, a change of
daylight saving time or the last minutes of the year must not date a sent issue, a
payment or an attendance later than the moment the demo was loaded.

The clock is frozen (tick=False): every record the demo creates "now" (auto_now fields,
audit entries) is then dated exactly at the frozen instant, which is not after it.
A full load takes 20 to 30 seconds (publications render their PDFs, the newsletter
creates 7,500 subscribers), about two and a half minutes for the six instants: each
instant is its own test, in its own transaction, so a failure names the instant.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.db import models
from django.db.models import Q
from django.utils import timezone

from demo import load as load_all_demos
from events.models import Session
from newsletter.models import Issue, IssueStatus
from publications.models import Publication, PublicationStatus

PARIS = ZoneInfo("Europe/Paris")

EDGE_TIMES = {
    # "This year" has no past yet; last year is the demo year of the annual report.
    "new-year-00h05": datetime(2027, 1, 1, 0, 5, tzinfo=PARIS),
    # The 1st of a month, the day after a 29 February: "this month" has no past yet.
    "1-march-00h05": datetime(2028, 3, 1, 0, 5, tzinfo=PARIS),
    # The newsletter goes out on the 6th at 9:30: before that, this month's issue is
    # still to come (issue 18: the demo dated it later the same day).
    "send-day-09h00": datetime(2026, 12, 6, 9, 0, tzinfo=PARIS),
    # Summer time starts: 2:00 jumps to 3:00, so the night had one hour less.
    "spring-dst-03h30": datetime(2027, 3, 28, 3, 30, tzinfo=PARIS),
    # Summer time ends: 3:00 falls back to 2:00; the second 2:30 of the night.
    "autumn-dst-02h30": datetime(2027, 10, 31, 2, 30, fold=1, tzinfo=PARIS),
    # Tomorrow is next year.
    "new-years-eve-23h55": datetime(2026, 12, 31, 23, 55, tzinfo=PARIS),
}

# Date fields that may lie in the future, with the rows whose date must nevertheless be
# past (None: any row may be upcoming). Every other date or datetime field of every model
# records something that has happened, so it is never after now.
MAY_BE_UPCOMING: dict[str, Q | None] = {
    # A session with attendances, a headcount or evaluations has started.
    "events.Session.starts_at": (
        Q(attendances__isnull=False) | Q(headcounts__isnull=False) | Q(evaluations__isnull=False)
    ),
    "events.Session.ends_at": None,
    "events.Session.registration_opens_at": None,
    "events.Session.registration_closes_at": None,
    "members.Invoice.due_on": None,
    "infodoc.InfoRequest.wished_by": None,
    "infodoc.Loan.due_on": None,
    # The month of an issue whose sending has started is this month at the latest.
    "newsletter.Issue.month": Q(
        status__in=[IssueStatus.SENDING, IssueStatus.PAUSED, IssueStatus.SENT]
    ),
    "newsletter.Issue.scheduled_at": None,
    "newsletter.Delivery.available_at": None,
    "newsletter.Delivery.lease_until": None,
    # A published publication is out; a scheduled one or a draft comes later.
    "publications.Publication.published_on": Q(status=PublicationStatus.PUBLISHED),
    "sessions.Session.expire_date": None,
}


def _date_fields() -> list[tuple[type[models.Model], models.DateField]]:
    """Every date and datetime field of every model."""
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.DateField)  # DateTimeField is a DateField too
    ]


def _in_the_future(now: datetime) -> list[str]:
    """One line per field holding a value after `now` where it may not, with examples."""
    today = timezone.localdate(now)
    found = []
    for model, field in _date_fields():
        key = f"{model._meta.label}.{field.name}"
        must_be_past = MAY_BE_UPCOMING.get(key, Q())
        if must_be_past is None:
            continue
        bound = now if isinstance(field, models.DateTimeField) else today
        rows = model._base_manager.filter(must_be_past, **{f"{field.name}__gt": bound})
        rows = rows.distinct().order_by(f"-{field.name}", "pk")
        count = rows.count()
        if count:
            examples = ", ".join(
                f"pk {pk}: {_local(value)}" for pk, value in rows.values_list("pk", field.name)[:3]
            )
            found.append(f"{key}: {count} row(s) after {_local(bound)} ({examples})")
    return found


def _local(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    return value.isoformat()


def test_the_fields_that_may_be_upcoming_exist():
    """Every field named in the table exists, so a renamed field cannot escape the check."""
    known = {f"{model._meta.label}.{field.name}" for model, field in _date_fields()}
    assert set(MAY_BE_UPCOMING) <= known, set(MAY_BE_UPCOMING) - known


@pytest.fixture
def media_root(settings, tmp_path):
    """The publications' PDFs and covers go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.usefixtures("media_root")
@pytest.mark.parametrize("local", list(EDGE_TIMES.values()), ids=list(EDGE_TIMES))
def test_the_demo_dates_nothing_past_in_the_future(db, local):
    now = local.astimezone(UTC)  # an ambiguous local time compares unequal to any other
    with time_machine.travel(now, tick=False):
        load_all_demos()
        assert timezone.now() == now  # the clock stayed put during the load
        today = timezone.localdate()

        future = _in_the_future(now)
        assert not future, f"Loaded at {_local(now)}, dated later:\n" + "\n".join(future)

        upcoming = Session.objects.public().filter(starts_at__gt=now)
        assert upcoming.exists(), "no upcoming public session"
        draft = Issue.objects.get(status=IssueStatus.DRAFT)
        assert draft.month >= today.replace(day=1), f"the coming issue is of {draft.month}"
        last_sent = Issue.objects.filter(status=IssueStatus.SENT).order_by("number").last()
        assert draft.number == last_sent.number + 1
        scheduled = Publication.objects.get(status=PublicationStatus.SCHEDULED)
        assert scheduled.published_on > today
