"""Demo newsletter: about 7,500 subscribers, last year's ten issues and the last three
sent, the next in draft.

Subscribers: French names, organisations of the three départements (Val-d'Oise first),
actor types shaped like the centre's audience, consent recorded (most taken over from
the former list, the others through the web form's double opt-in); a few pending,
unsubscribed or bounced. The three sent issues pick the demo's sessions, publications,
experience sheets and resources of their months and have their deliveries recorded,
so the back office shows real counts.

Idempotent: an issue is recognised by its number, subscribers by their address.
Deterministic (one seeded generator); rows are bulk-created, in a few seconds.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from demo.names import french_faker
from demo.newsletter.data import (
    ACTIVE_SUBSCRIBERS,
    ACTOR_TYPES,
    BACK_ISSUES,
    DEPARTMENTS,
    IMPORT_BASIS,
    IMPORT_SHARE,
    ISSUES,
    ORGANISATIONS,
    OTHER_ORGANISATIONS,
    OTHER_SUBSCRIBERS,
    SEED,
    SEND_DAY,
    SEND_HOUR,
    TEXT_ONLY_SHARE,
)
from events.models import Session
from infodoc.models import Resource
from infodoc.selectors.resources import NEWSLETTER_KINDS
from newsletter.models import (
    Block,
    BlockPage,
    ConsentSource,
    Delivery,
    DeliveryStatus,
    Issue,
    IssueStatus,
    MailFormat,
    NewsScope,
    Subscriber,
    SubscriberStatus,
)
from portal.core.models import Department
from publications.models import Publication, PublicationKind, PublicationStatus

BATCH = 2000
NO_ISSUE_MONTHS = (7, 8)  # ten issues a year: none in July and August
SENDING_TIME = timedelta(minutes=52)  # from the first message to the last


# Numbers and months ---------------------------------------------------------------------


def issue_number(month: date) -> int:
    """Ten issues a year since 2009: n° 1 in January 2009, n° 11 in January 2010..."""
    slot = month.month if month.month < 7 else month.month - 2
    return (month.year - 2009) * 10 + slot


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _months(now: datetime) -> tuple[list[date], date]:
    """The months of the last three issues sent (the current one once its sending is over,
    so no issue is dated later than `now`) and the month of the coming issue, skipping
    the summer."""
    month = timezone.localdate(now).replace(day=1)
    if _sent_at(month) + SENDING_TIME > now:
        month = _shift(month, -1)
    sent: list[date] = []
    while len(sent) < 3:
        if month.month not in NO_ISSUE_MONTHS:
            sent.insert(0, month)
        month = _shift(month, -1)
    coming = _shift(sent[-1], 1)
    while coming.month in NO_ISSUE_MONTHS:
        coming = _shift(coming, 1)
    return sent, coming


def _sent_at(month: date) -> datetime:
    """When the sending of the issue of `month` started."""
    return timezone.make_aware(datetime.combine(month.replace(day=SEND_DAY), time(*SEND_HOUR)))


# Subscribers ---------------------------------------------------------------------------


def _email_slug(text: str) -> str:
    return slugify(text).replace("-", ".") or "contact"


def _weighted(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _subscribers() -> list[Subscriber]:
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    fake = french_faker(SEED)
    departments = {d.code: d for d in Department.objects.filter(code__in=DEPARTMENTS)}
    now = timezone.now()
    taken_over = _sent_at(date(2018, 5, 1)).replace(day=24)  # the eve of the RGPD
    states = [SubscriberStatus.ACTIVE] * ACTIVE_SUBSCRIBERS
    for status, count in OTHER_SUBSCRIBERS.items():
        states += [SubscriberStatus(status)] * count
    rng.shuffle(states)
    subscribers = []
    for index, status in enumerate(states):
        first, last = fake.first_name(), fake.last_name()
        code = _weighted(rng, DEPARTMENTS)
        actor = _weighted(rng, ACTOR_TYPES)
        names = ORGANISATIONS.get(code, {}).get(actor) or OTHER_ORGANISATIONS.get(actor, [""])
        organisation = "" if actor == "resident" else rng.choice(names)
        domain = _email_slug(organisation).replace(".", "-") if organisation else "courriel"
        email = f"{_email_slug(first)}.{_email_slug(last)}.{index}@{domain}.demo.test"
        imported = status != SubscriberStatus.PENDING and rng.random() < IMPORT_SHARE
        if imported:
            consent_at = taken_over
        else:
            consent_at = now - timedelta(days=rng.randint(2, 7 * 365), minutes=rng.randint(0, 900))
        subscriber = Subscriber(
            email=email, first_name=first, last_name=last, organisation=organisation,
            actor_type=actor, department=departments.get(code), status=status,
            mail_format=MailFormat.TEXT if rng.random() < TEXT_ONLY_SHARE else MailFormat.HTML,
            consent_at=consent_at,
            consent_source=ConsentSource.IMPORT if imported else ConsentSource.WEB_FORM,
            consent_basis=IMPORT_BASIS if imported else "",
            consent_ip=None if imported else f"192.0.2.{rng.randint(1, 254)}",
        )  # fmt: skip
        if status != SubscriberStatus.PENDING:
            subscriber.confirmed_at = consent_at + timedelta(minutes=rng.randint(1, 240))
        if status == SubscriberStatus.PENDING:
            subscriber.consent_at = now - timedelta(days=rng.randint(0, 6))
        elif status == SubscriberStatus.UNSUBSCRIBED:
            subscriber.unsubscribed_at = now - timedelta(days=rng.randint(1, 400))
        elif status in (SubscriberStatus.BOUNCED, SubscriberStatus.COMPLAINED):
            subscriber.last_event_at = now - timedelta(days=rng.randint(1, 300))
            subscriber.soft_bounces = 3 if status == SubscriberStatus.BOUNCED else 0
            subscriber.last_event = (
                "550 5.1.1 mailbox unavailable"
                if status == SubscriberStatus.BOUNCED
                else "complaint: marked as spam"
            )
        subscribers.append(subscriber)
    return subscribers


def load_subscribers() -> None:
    subscribers = _subscribers()
    if Subscriber.objects.filter(email=subscribers[0].email).exists():
        return
    Subscriber.objects.bulk_create(subscribers, batch_size=BATCH, ignore_conflicts=True)


# Issues ----------------------------------------------------------------------------------


def _sessions(month: date, *, sent: bool) -> list[Session]:
    """Public sessions of the issue's month and the next, after the issue went out."""
    after = _sent_at(month) if sent else max(timezone.now(), _sent_at(month))
    return list(
        Session.objects.public()
        .filter(starts_at__gte=after, starts_at__date__lt=_shift(month, 2))
        .order_by("starts_at")[:4]
    )


def _publications(position: int) -> list[Publication]:
    """Two publications per issue, the newest for the coming issue, older ones before."""
    skip = (len(ISSUES) - 1 - position) * 2
    return list(
        Publication.objects.filter(status=PublicationStatus.PUBLISHED)
        .exclude(kind=PublicationKind.EXPERIENCE_SHEET)
        .order_by("-published_on", "-pk")[skip : skip + 2]
    )


def _sheet(words: list[str], used: set[int]) -> Publication | None:
    sheets = Publication.objects.filter(kind=PublicationKind.EXPERIENCE_SHEET).exclude(
        status=PublicationStatus.DRAFT
    )
    query = Q()
    for word in words:
        query |= Q(title__icontains=word)
    for candidates in (sheets.filter(query), sheets):
        sheet = candidates.exclude(pk__in=used).order_by("-published_on", "pk").first()
        if sheet is not None:
            return sheet
    return None


def _resources(position: int) -> list[Resource]:
    """One or two resources of each kind of page 4, different from one issue to the next."""
    chosen = []
    for kind in NEWSLETTER_KINDS:
        of_kind = list(
            Resource.objects.filter(kind=kind).order_by("pk").values_list("pk", flat=True)
        )
        if of_kind:
            count = 2 if kind == Resource.Kind.WEBSITE else 1
            start = position * count
            chosen += [of_kind[(start + step) % len(of_kind)] for step in range(count)]
    return list(Resource.objects.filter(pk__in=chosen))


def _blocks(issue: Issue, spec: dict) -> None:
    blocks = [
        Block(issue=issue, page=BlockPage.ACTIVITY, scope="", title=title, body=body, url=url,
              position=position)
        for position, (title, body, url) in enumerate(spec["activity"])
    ]  # fmt: skip
    for scope in (NewsScope.NATIONAL, NewsScope.LOCAL):
        blocks += [
            Block(issue=issue, page=BlockPage.NEWS, scope=scope, title=title, body=body, url=url,
                  position=position)
            for position, (title, body, url) in enumerate(spec[scope.value])
        ]  # fmt: skip
    Block.objects.bulk_create(blocks)


def _issue(month: date, spec: dict, position: int, used: set[int], *, sent: bool) -> Issue:
    issue = Issue(
        number=issue_number(month), month=month, title=spec["title"],
        editorial=spec["editorial"], status=IssueStatus.SENT if sent else IssueStatus.DRAFT,
    )  # fmt: skip
    if sent:
        issue.sending_started_at = _sent_at(month)
        issue.sent_at = issue.sending_started_at + SENDING_TIME
    issue.initiative = _sheet(spec["sheet"], used)
    if issue.initiative:
        used.add(issue.initiative.pk)
    issue.full_clean()
    issue.save()
    issue.sessions.set(_sessions(month, sent=sent))
    issue.publications.set(_publications(position))
    issue.resources.set(_resources(position))
    _blocks(issue, spec)
    if sent:
        _deliveries(issue)
    return issue


def _deliveries(issue: Issue) -> None:
    """A sent delivery for every subscriber who had agreed before the issue went out."""
    recipients = Subscriber.objects.filter(
        Q(status=SubscriberStatus.ACTIVE) | Q(unsubscribed_at__gt=issue.sent_at),
        confirmed_at__lt=issue.sending_started_at,
    ).values_list("pk", flat=True)
    deliveries = [
        Delivery(issue=issue, subscriber_id=pk, status=DeliveryStatus.SENT, attempts=1,
                 sent_at=issue.sent_at)
        for pk in recipients.iterator(chunk_size=BATCH)
    ]  # fmt: skip
    Delivery.objects.bulk_create(deliveries, batch_size=BATCH, ignore_conflicts=True)
    Issue.objects.filter(pk=issue.pk).update(recipients_count=len(deliveries))


def load_issues(now: datetime) -> None:
    sent, coming = _months(now)
    months = [*sent, coming]
    existing = set(
        Issue.objects.filter(number__in=[issue_number(m) for m in months]).values_list(
            "number", flat=True
        )
    )
    used = set(Issue.objects.exclude(initiative=None).values_list("initiative_id", flat=True))
    for position, (month, spec) in enumerate(zip(months, ISSUES, strict=True)):
        if issue_number(month) not in existing:
            _issue(month, spec, position, used, sent=month in sent)


def load_back_issues(now: datetime) -> None:
    """Last year's ten issues, sent with their deliveries, so its report counts them (but
    those load_issues composes, in January and February)."""
    composed, _coming = _months(now)
    last_year = timezone.localdate(now).year - 1
    months = [date(last_year, m, 1) for m in range(1, 13) if m not in NO_ISSUE_MONTHS]
    existing = set(
        Issue.objects.filter(number__in=[issue_number(m) for m in months]).values_list(
            "number", flat=True
        )
    )
    for month, (title, editorial) in zip(months, BACK_ISSUES, strict=True):
        if issue_number(month) in existing or month in composed:
            continue
        issue = Issue(
            number=issue_number(month), month=month, title=title, editorial=editorial,
            status=IssueStatus.SENT, sending_started_at=_sent_at(month),
        )  # fmt: skip
        issue.sent_at = issue.sending_started_at + SENDING_TIME
        issue.save()
        _deliveries(issue)


@transaction.atomic
def load_demo() -> None:
    now = timezone.now()
    load_subscribers()
    load_back_issues(now)
    load_issues(now)
