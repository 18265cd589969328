"""The annual report's figures against a small fixture whose values are counted by hand.

Participation and info-doc figures are the apps' own selectors, tested in tests/events and
tests/infodoc; here the parts gathered for the report first, then the whole.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from members.models import MembershipCategory, OrganisationKind, PaymentMethod
from members.selectors.figures import dues_figures, funders, member_figures, team
from members.services.billing import credit_note_issue, invoice_issue, payment_record
from newsletter.models import Delivery, DeliveryStatus, IssueStatus, SubscriberStatus
from newsletter.selectors.figures import newsletter_figures
from newsletter.services.retention import old_deliveries_delete
from portal.reports.models import ReportEdition
from portal.reports.selectors import annual_figures
from publications.models import PublicationKind, PublicationStatus
from publications.selectors.figures import publication_figures
from tests.members.factories import (
    IndividualMembershipFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
)
from tests.newsletter.factories import DeliveryFactory, IssueFactory, SubscriberFactory
from tests.publications.factories import PublicationFactory

pytestmark = pytest.mark.django_db
YEAR = 2025


def moment(year: int, month: int, day: int) -> datetime.datetime:
    return datetime.datetime(year, month, day, 10, tzinfo=timezone.get_current_timezone())


def test_publications_of_the_year_by_kind():
    for day, kind in ((3, PublicationKind.STUDY), (9, PublicationKind.PODCAST), (20, "study")):
        PublicationFactory(kind=kind, published_on=datetime.date(YEAR, 3, day))
    PublicationFactory(published_on=datetime.date(YEAR, 5, 1), status=PublicationStatus.DRAFT)
    PublicationFactory(published_on=datetime.date(YEAR - 1, 12, 31))
    PublicationFactory(published_on=datetime.date(YEAR + 1, 1, 1))

    figures = publication_figures(year=YEAR)

    assert figures.count == 3  # the draft and the other years left out
    assert figures.previous_count == 1
    assert [(k.kind, len(k.titles)) for k in figures.by_kind] == [("study", 2), ("podcast", 1)]
    assert figures.by_kind[0].label == "Étude"


def _newsletter_year() -> None:
    """Three issues of YEAR sent to four readers: 10 deliveries sent, 2 failed."""
    sent = [
        IssueFactory(status=IssueStatus.SENT, sent_at=moment(YEAR, month, 5)) for month in (2, 3, 4)
    ]
    IssueFactory(status=IssueStatus.SENT, sent_at=moment(YEAR - 1, 12, 5))
    IssueFactory(status=IssueStatus.DRAFT)
    readers = [SubscriberFactory(confirmed_at=moment(YEAR - 1, 6, 1)) for _ in range(4)]
    SubscriberFactory(confirmed_at=moment(YEAR, 6, 1))  # joined during the year
    SubscriberFactory(confirmed_at=moment(YEAR + 1, 1, 2))  # after the year's end
    SubscriberFactory(
        confirmed_at=moment(YEAR - 1, 6, 1), status=SubscriberStatus.UNSUBSCRIBED,
        unsubscribed_at=moment(YEAR, 9, 1),
    )  # fmt: skip
    SubscriberFactory(status=SubscriberStatus.PENDING, confirmed_at=None)
    # 3 issues x 4 readers = 12 deliveries: 10 sent, 2 failed; 1 still queued (not counted).
    statuses = [DeliveryStatus.SENT] * 10 + [DeliveryStatus.FAILED] * 2
    for index, status in enumerate(statuses):
        DeliveryFactory(issue=sent[index // 4], subscriber=readers[index % 4], status=status)
    DeliveryFactory(issue=sent[0], status=DeliveryStatus.QUEUED)


def test_newsletter_issues_readers_and_delivery_rate():
    _newsletter_year()

    figures = newsletter_figures(year=YEAR)

    assert figures.issues_sent == 3
    # End of YEAR: 4 readers + the one who joined; the one who left in September is gone.
    assert figures.subscribers == 5
    # End of YEAR - 1: 4 readers + the one who left later.
    assert figures.previous_subscribers == 5
    assert (figures.deliveries, figures.delivered) == (12, 10)
    assert figures.delivery_rate == Decimal("83.3")  # 10 / 12


def test_the_delivery_rate_outlives_the_rows_retention_deletes():
    _newsletter_year()
    before = newsletter_figures(year=YEAR)

    # Every final row is old by tomorrow (the issues were created today). Chunks of 3
    # rows: an issue's rows go in several steps, as on a big issue.
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    deleted = old_deliveries_delete(before=tomorrow, chunk=3)

    assert deleted == 12  # the queued row is not final: kept
    assert Delivery.objects.filter(status=DeliveryStatus.QUEUED).count() == 1
    assert newsletter_figures(year=YEAR) == before
    assert (before.deliveries, before.delivered, before.delivery_rate) == (12, 10, Decimal("83.3"))


def test_members_by_category_with_their_names():
    MembershipFactory(year=YEAR, organisation=OrganisationFactory(name="Écoles et familles"))
    MembershipFactory(year=YEAR, organisation=OrganisationFactory(name="Alter Ego"))
    IndividualMembershipFactory(
        year=YEAR,
        person=PersonFactory(first_name="Sylvie", last_name="Collinet", organisation=None),
    )
    MembershipFactory(
        year=YEAR, category=MembershipCategory.CITY,
        organisation=OrganisationFactory(name="Argenteuil", kind=OrganisationKind.COMMUNE),
    )  # fmt: skip
    MembershipFactory(year=YEAR, cancelled_at=timezone.now())
    MembershipFactory(year=YEAR - 1)
    MembershipFactory(year=YEAR - 1)

    figures = member_figures(year=YEAR)

    assert figures.total == 4
    assert figures.previous_total == 2
    assert {c.category: c.names for c in figures.by_category} == {
        "association": ("Alter Ego", "Écoles et familles"),  # accents sorted as letters
        "individual": ("Sylvie Collinet",),
        "city": ("Argenteuil",),
        "epci": (),
        "other": (),
    }


def test_dues_invoiced_net_of_credit_notes_and_collected(staff_user):
    paid = MembershipFactory(year=YEAR, amount=Decimal("150.00"))
    part_paid = MembershipFactory(year=YEAR, amount=Decimal("2510.40"))
    cancelled = MembershipFactory(year=YEAR, amount=Decimal("30.00"))
    other_year = MembershipFactory(year=YEAR - 1, amount=Decimal("999.00"))
    invoices = {
        m: invoice_issue(membership=m, issued_by=staff_user)
        for m in (paid, part_paid, cancelled, other_year)
    }
    for membership, amount in ((paid, "150.00"), (part_paid, "1000.00"), (other_year, "999.00")):
        payment_record(
            invoice=invoices[membership], amount=Decimal(amount),
            method=PaymentMethod.TRANSFER, paid_on=timezone.localdate(), recorded_by=staff_user,
        )  # fmt: skip
    credit_note_issue(invoice=invoices[cancelled], reason="Doublon", issued_by=staff_user)

    figures = dues_figures(year=YEAR)

    assert figures.invoiced == Decimal("2660.40")  # 150 + 2 510,40 (+ 30 - 30)
    assert figures.collected == Decimal("1150.00")
    assert figures.outstanding == Decimal("1510.40")
    assert figures.invoices == 2


def test_team_and_funders(make_user):
    director = make_user("g.dejardin@example.org", staff=True)
    PersonFactory(
        user=director, first_name="Guillaume", last_name="Dejardin", job_title="Directeur"
    )
    PersonFactory(user=make_user("sans-titre@example.org", staff=True), job_title="")  # not listed
    PersonFactory(user=make_user("membre@example.org"), job_title="Adhérente")
    OrganisationFactory(name="Préfecture de la région Île-de-France", is_funder=True)
    OrganisationFactory(name="Ancien financeur", is_funder=True, is_active=False)

    assert [(m.name, m.job_title) for m in team()] == [("Guillaume Dejardin", "Directeur")]
    assert funders() == ("Préfecture de la région Île-de-France",)


def test_annual_figures_gathers_every_part_and_the_directors_texts():
    ReportEdition.objects.create(
        year=YEAR, foreword="Une année record.", board="Anne Morin, présidente\nPaul Roy, trésorier"
    )
    PublicationFactory(published_on=datetime.date(YEAR, 3, 1))

    figures = annual_figures(year=YEAR, until=moment(YEAR + 1, 1, 1))

    assert figures.year == YEAR
    assert figures.participation.year == YEAR and figures.participation.previous.year == YEAR - 1
    assert figures.requests.year == YEAR and figures.requests.previous.year == YEAR - 1
    assert figures.publications.count == 1
    assert figures.edition.foreword == "Une année record."
    assert figures.board == [("Anne Morin", "présidente"), ("Paul Roy", "trésorier")]
    assert annual_figures(year=YEAR - 5).edition.pk is None  # no texts: an empty edition


def test_annual_figures_runs_a_fixed_number_of_queries(django_assert_max_num_queries):
    with django_assert_max_num_queries(40):
        annual_figures(year=YEAR)
    for _ in range(5):
        MembershipFactory(year=YEAR)
        PublicationFactory(published_on=datetime.date(YEAR, 4, 1))
    with django_assert_max_num_queries(40):
        annual_figures(year=YEAR)
