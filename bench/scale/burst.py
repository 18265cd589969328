"""A registration burst on one session: threads with a database connection each.

The portal's path is events.services.registrations.registration_create (session row
locked with SELECT … FOR UPDATE, duplicate check, seat count, insert, confirmation
mail recorded in the same transaction, see portal.core.mail). The reference, in the
same run from the same threads on another session, is a plain
Registration.objects.create() per person: the insert alone, with no lock and no check.
"""

from __future__ import annotations

import datetime
import threading
import time


def _session_clone(capacity: int):
    """A new open session, a month ahead, of an upcoming public action."""
    from django.utils import timezone

    from events.models import RegistrationMode, Session

    session = Session.objects.public().upcoming().order_by("starts_at", "pk").first()
    session.pk = None
    session.id = None
    session.starts_at = timezone.now() + datetime.timedelta(days=30)
    session.ends_at = session.starts_at + datetime.timedelta(hours=3)
    session.capacity = capacity
    session.mode = RegistrationMode.OPEN
    session.registration_opens_at = None
    session.registration_closes_at = None
    session.save()
    return session


def _run(threads: int, people: list, work) -> tuple[float, list[BaseException]]:
    """Call work(person) for every person from `threads` threads; wall-clock seconds."""
    from django.db import connection

    barrier = threading.Barrier(threads + 1)
    errors: list[BaseException] = []

    def thread_main(share: list) -> None:
        try:
            barrier.wait()
            for person in share:
                work(person)
        except BaseException as error:  # reported after the run
            errors.append(error)
        finally:
            connection.close()  # each thread had its own connection

    workers = [
        threading.Thread(target=thread_main, args=(people[n::threads],)) for n in range(threads)
    ]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    return time.perf_counter() - started, errors


def measure(*, threads: int, count: int) -> dict:
    """Registrations per minute through the service, and plain inserts per minute."""
    from events.models import Registration, RegistrationStatus, Session
    from events.services.registrations import registration_create
    from members.models import Person
    from portal.celery import app
    from portal.core.models import OutgoingMail

    people = list(Person.objects.order_by("pk")[:count])
    if len(people) < count:
        raise RuntimeError(f"the dataset has {len(people)} people, {count} wanted")
    mails_before = OutgoingMail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    reference_session = _session_clone(capacity=count + 50)
    session = _session_clone(capacity=count + 50)

    def insert(person) -> None:
        Registration.objects.create(
            session=reference_session, person=person, status=RegistrationStatus.CONFIRMED
        )

    def register(person) -> None:
        registration_create(session=session, person=person)

    try:
        reference_seconds, reference_errors = _run(threads, people, insert)
        seconds, errors = _run(threads, people, register)
        confirmed = session.registrations.confirmed().count()
    finally:
        app.control.purge()  # the confirmation mails queued: no worker will send them
        OutgoingMail.objects.filter(pk__gt=mails_before).delete()
        # A kept database (--keepdb) stays as generated: the next run measures the same.
        Session.objects.filter(pk__in=[session.pk, reference_session.pk]).delete()
    if reference_errors or errors:
        raise RuntimeError(f"registration burst failed: {(reference_errors + errors)[0]!r}")
    return {
        "rate": count / seconds * 60,
        "reference": count / reference_seconds * 60,
        "confirmed": confirmed,
        "count": count,
        "threads": threads,
    }
