"""Subscribers of « Résonances », its sent issues, and one delivery per reader per issue."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connection

from bench.dataset import Context, ascii_slug, bulk, bulk_m2m, words
from bench.dataset.events import topic
from bench.dataset.members import department_for
from newsletter.models import (
    Block,
    ConsentSource,
    Issue,
    IssueStatus,
    MailFormat,
    Subscriber,
    SubscriberStatus,
)
from publications.models import PublicationKind

SUBSCRIBERS = 30_000
MONTHS = (1, 2, 3, 4, 5, 6, 9, 10, 11, 12)  # ten issues a year, none in July and August
SEND_DAY = 6
ST = SubscriberStatus
STATUS_SHARES = {
    ST.ACTIVE: 76,
    ST.UNSUBSCRIBED: 17,
    ST.BOUNCED: 5,
    ST.COMPLAINED: 0.3,
    ST.PENDING: 1.7,
}
ACTOR_SHARES = {
    "collectivity_staff": 46,
    "association": 20,
    "state": 12,
    "elected": 6,
    "resident": 5,
    "researcher": 4,
    "other": 7,
}


def _subscribers(context: Context) -> list[Subscriber]:
    rng, today, rows = context.rng, context.today, []
    start = date(context.years[0], 1, 1)
    span = (today - start).days
    for number in range(1, context.volume(SUBSCRIBERS) + 1):
        first, last = context.fake.first_name(), context.fake.last_name()
        # A third were taken over from the former list; the others joined along the years.
        imported = rng.random() < 0.33
        joined = start if imported else start + timedelta(days=rng.randint(0, span))
        consent = context.moment(joined, rng.randint(7, 22), rng.randint(0, 59))
        status = context.pick(STATUS_SHARES)
        if status == ST.PENDING:
            consent = context.moment(today - timedelta(days=rng.randint(0, 10)), 12)
        confirmed = (
            None if status == ST.PENDING else consent + timedelta(minutes=rng.randint(1, 600))
        )
        left = None
        if status in (ST.UNSUBSCRIBED, ST.BOUNCED, ST.COMPLAINED):
            days_left = (today - confirmed.date()).days
            left = confirmed + timedelta(days=rng.randint(1, max(2, days_left)))
        rows.append(
            Subscriber(
                email=f"{ascii_slug(first)}.{ascii_slug(last)}.{number}@{rng.choice(words.DOMAINS)}",
                first_name=first,
                last_name=last,
                actor_type=context.pick(ACTOR_SHARES),
                department=department_for(context) if rng.random() < 0.96 else None,
                status=status,
                mail_format=MailFormat.TEXT if rng.random() < 0.04 else MailFormat.HTML,
                consent_at=consent,
                consent_source=ConsentSource.IMPORT if imported else ConsentSource.WEB_FORM,
                consent_basis="Abonnés repris de l'ancienne liste" if imported else "",
                consent_ip=None if imported else f"192.0.2.{rng.randint(1, 254)}",
                confirmed_at=confirmed,
                unsubscribed_at=left if status == ST.UNSUBSCRIBED else None,
                last_event_at=left if status in (ST.BOUNCED, ST.COMPLAINED) else None,
                last_event="550 5.1.1 Adresse inconnue"
                if status == ST.BOUNCED
                else ("Signalé comme indésirable" if status == ST.COMPLAINED else ""),
                created_at=consent,
                updated_at=left or confirmed or consent,
            )
        )
    return bulk(Subscriber, rows)


def _issues(context: Context) -> list[Issue]:
    rng, rows = context.rng, []
    for year in context.years:
        for month in MONTHS:
            sent = context.moment(date(year, month, SEND_DAY), 9, 30)
            if sent.date() > context.today:
                break
            _theme, subject = topic(context)
            rows.append(
                Issue(
                    number=len(rows) + 1,
                    month=date(year, month, 1),
                    title=f"{subject[:1].upper()}{subject[1:]}",
                    editorial=f"Ce numéro revient sur {subject} et sur l'actualité du réseau.",
                    status=IssueStatus.SENT,
                    scheduled_at=sent,
                    sending_started_at=sent,
                    sent_at=sent + timedelta(minutes=rng.randint(30, 90)),
                    created_at=sent - timedelta(days=20),
                    updated_at=sent + timedelta(hours=2),
                )
            )
    return bulk(Issue, rows)


def _contents(context: Context, issues: list[Issue]) -> None:
    """Pages 1 to 4: sessions, publications, an experience sheet, resources, news blocks."""
    rng = context.rng
    sessions = sorted(context.shared["sessions"], key=lambda s: s.starts_at)
    publications = sorted(context.shared["publications"], key=lambda p: p.published_on)
    sheets = [p for p in publications if p.kind == PublicationKind.EXPERIENCE_SHEET]
    resources = context.shared["resources"]
    session_pairs, publication_pairs, resource_pairs, blocks = [], [], [], []
    for issue in issues:
        sent = issue.sent_at
        upcoming = [s for s in sessions if sent < s.starts_at < sent + timedelta(days=40)]
        session_pairs += [(issue.pk, s.pk) for s in upcoming[:4]]
        recent = [
            p
            for p in publications
            if sent.date() - timedelta(days=45) <= p.published_on <= sent.date()
        ]
        publication_pairs += [(issue.pk, p.pk) for p in recent[-3:]]
        resource_pairs += [(issue.pk, r.pk) for r in rng.sample(resources, min(3, len(resources)))]
        earlier = [p for p in sheets if p.published_on <= sent.date()]
        if earlier:
            issue.initiative = earlier[-1]
        for position in range(3):
            _theme, subject = topic(context)
            blocks.append(
                Block(
                    issue=issue,
                    page="news",
                    scope=rng.choice(["national", "local"]),
                    title=rng.choice(words.NEWS_TITLES).format(topic=subject),
                    body=f"À retenir ce mois-ci : {subject}.",
                    position=position,
                )
            )
    bulk_m2m(Issue.sessions, session_pairs)
    bulk_m2m(Issue.publications, publication_pairs)
    bulk_m2m(Issue.resources, resource_pairs)
    Issue.objects.bulk_update(issues, ["initiative"], batch_size=500)
    bulk(Block, blocks)
    context.counts["blocks"] = len(blocks)


DELIVERIES_SQL = """
INSERT INTO newsletter_delivery
    (issue_id, subscriber_id, status, attempts, sent_at, message_id, error)
SELECT i.id, s.id, 'sent', 1, i.sending_started_at
           + (i.sent_at - i.sending_started_at) * ((s.id %% 997) / 997.0),
       '<' || i.number || '.' || s.id || '@resonances.pole-ressources.test>', ''
FROM newsletter_issue i
JOIN newsletter_subscriber s
  ON s.confirmed_at <= i.sending_started_at
 AND coalesce(s.unsubscribed_at, s.last_event_at, 'infinity') > i.sending_started_at
WHERE i.id = ANY(%s)
ORDER BY i.id, s.id
"""


def _deliveries(issues: list[Issue]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(DELIVERIES_SQL, [[i.pk for i in issues]])
        count = cursor.rowcount
        cursor.execute(
            "UPDATE newsletter_issue i SET recipients_count = d.n FROM "
            "(SELECT issue_id, count(*) AS n FROM newsletter_delivery GROUP BY issue_id) d "
            "WHERE d.issue_id = i.id"
        )
    return count


def generate(context: Context) -> None:
    subscribers = _subscribers(context)
    issues = _issues(context)
    _contents(context, issues)
    context.counts.update(
        subscribers=len(subscribers), issues=len(issues), deliveries=_deliveries(issues)
    )
