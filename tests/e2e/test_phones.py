"""Every public and member page on a phone (320 and 390 px): no page wider than the screen,
no table cut off in a box of its own, and axe-core clean (nothing serious or critical).

The pages are visited once per width, in one browser context: anonymous for the public pages
(with those a mail's link opens: cancel, confirm, preferences, follow, questionnaire), then
signed in as a member whose organisation has dues, invoices, receipts, a credit note,
registrations, participations and info-doc requests, so every table has rows. Each page and
width is then its own test, so a failure names both; `-k` visits only the pages selected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

pytestmark = [pytest.mark.browser]

WIDTHS = (320, 390)
PARIS = ZoneInfo("Europe/Paris")

# Page (its URL name) → the arguments of its address, from the data made below.
PUBLIC_PAGES = {
    "core:home": lambda data: [],
    "events:agenda": lambda data: [],
    "events:past_actions": lambda data: [],
    "events:action": lambda data: [data["action"].slug],
    "events:registration_done": lambda data: [data["action"].slug],
    "events:registration_cancel": lambda data: [data["cancel_token"]],
    "events:cycle_cancel": lambda data: [data["cycle_cancel_token"]],
    "events_evaluation:form": lambda data: [data["evaluation_token"]],
    "publications:list": lambda data: [],
    "publications:detail": lambda data: [data["publication"].slug],
    "newsletter:archive": lambda data: [],
    "newsletter:issue": lambda data: [data["issue"].number],
    "newsletter:subscribe": lambda data: [],
    "newsletter:subscribe_done": lambda data: [],
    "newsletter:confirm": lambda data: [data["confirm_token"]],
    "newsletter:preferences": lambda data: [data["manage_token"]],
    "newsletter:unsubscribe": lambda data: [data["manage_token"]],
    "infodoc:index": lambda data: [],
    "infodoc:done": lambda data: [],
    "infodoc:follow": lambda data: [data["follow_token"]],
    "infodoc:qa_list": lambda data: [],
    "infodoc:qa_detail": lambda data: [data["request"].pk, data["request"].public_slug],
    "members:public_list": lambda data: [],
    "members:request_done": lambda data: [],
    "core:legal_notice": lambda data: [],
    "core:privacy": lambda data: [],
    "core:accessibility": lambda data: [],
    "core:site_map": lambda data: [],
    "account_login": lambda data: [],
    "account_reset_password": lambda data: [],
    "account_reset_password_done": lambda data: [],
    "account_request_login_code": lambda data: [],
    "account_signup": lambda data: [],
}
MEMBER_PAGES = {
    "members:space": lambda data: [],
    "members:space_dues": lambda data: [],
    "members:space_people": lambda data: [],
    "members:space_invite": lambda data: [],
    "members:space_person": lambda data: [data["colleague"].pk],
    "members:space_details": lambda data: [],
    "events_space:registrations": lambda data: [],
    "events_space:registration_cancel": lambda data: [data["registration"].pk],
    "events_space:participation": lambda data: [],
    "infodoc_space:requests": lambda data: [],
    "infodoc_space:request": lambda data: [data["request"].reference],
    "privacy_space:data": lambda data: [],
    "account_email": lambda data: [],
    "account_change_password": lambda data: [],
}
# Addresses under /espace/ that are no page: downloads and forms that only take a POST.
NOT_PAGES = {
    "members:space_invoice_pdf",
    "members:space_credit_note_pdf",
    "members:space_receipt_pdf",
    "events_space:certificate",
    "privacy_space:data_json",
    "privacy_space:data_pdf",
}

# What the page tells about itself: its width, its boxes that scroll sideways, its tables'
# cells that end past the screen's edge.
MEASURE = """() => {
  const width = window.innerWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : "");
  const scrolled = [...document.querySelectorAll("main *")]
    .filter((el) => el.scrollWidth > el.clientWidth + 1
      && ["auto", "scroll"].includes(getComputedStyle(el).overflowX))
    .map((el) => `${name(el)} (${el.scrollWidth} px in ${el.clientWidth} px)`);
  const cut = [...document.querySelectorAll("main td, main th, main a")]
    .filter((el) => el.getClientRects().length && el.getBoundingClientRect().right > width + 1)
    .map((el) => `${name(el)} «${el.textContent.trim().slice(0, 40)}»`);
  return {pageWidth: document.documentElement.scrollWidth, width, scrolled, cut};
}"""


@dataclass
class Visit:
    status: int = 0
    page_width: int = 0
    width: int = 0
    scrolled: list[str] = field(default_factory=list)
    cut: list[str] = field(default_factory=list)
    serious: list[str] = field(default_factory=list)
    error: str = ""


def _member_data(users) -> dict:
    """A city member with a member contact, a colleague, two years of dues, every kind of
    money document, registrations past and upcoming, attendance and info-doc requests."""
    from events.models import Attendance, RegistrationStatus
    from events.services.evaluations import evaluation_token
    from events.services.registrations import (
        registration_cancel_token,
        registration_cycle_cancel_token,
    )
    from infodoc.models import RequestStatus
    from infodoc.services.intake import follow_token
    from members.models import PaymentMethod
    from members.services.billing import credit_note_issue, invoice_issue, payment_record
    from newsletter.models import IssueStatus, SubscriberStatus
    from newsletter.tokens import confirm_token_make, manage_token_make
    from tests.events.factories import ActionFactory, RegistrationFactory, SessionFactory
    from tests.infodoc.factories import InfoRequestFactory
    from tests.members.factories import CityFactory, MembershipFactory, PersonFactory
    from tests.newsletter.factories import SubscriberFactory, issue_with_content
    from tests.publications.factories import PublicationFactory

    organisation = CityFactory(name="Communauté d'agglomération de Cergy-Pontoise")
    person = PersonFactory(
        first_name="Marie-Françoise",
        last_name="Durand-Lefèvre",
        email="marie-francoise.durand-lefevre@cergypontoise.example.org",
        organisation=organisation,
        user=users["member"],
        is_member_contact=True,
    )
    colleague = PersonFactory(
        organisation=organisation,
        email="jean-baptiste.delacroix-martin@cergypontoise.example.org",
        job_title="Chargé de mission cohésion sociale et renouvellement urbain",
    )
    membership = MembershipFactory(organisation=organisation, amount=Decimal("12480.40"))
    invoice = invoice_issue(membership=membership, issued_by=users["staff"])
    payment_record(
        invoice=invoice,
        amount=Decimal("5000.00"),
        method=PaymentMethod.TRANSFER,
        paid_on=timezone.localdate(),
        recorded_by=users["staff"],
    )
    previous = MembershipFactory(organisation=organisation, year=membership.year - 1)
    credit_note_issue(
        invoice=invoice_issue(membership=previous, issued_by=users["staff"]),
        reason="Montant calculé sur une population erronée",
        issued_by=users["staff"],
    )

    action = ActionFactory(
        title="Groupe d'échanges des coordonnateur·rices des programmes de réussite éducative"
    )
    start = timezone.now() + timedelta(days=12)
    upcoming = SessionFactory(action=action, starts_at=start, ends_at=start + timedelta(hours=3))
    registration = RegistrationFactory(
        session=upcoming, person=person, status=RegistrationStatus.CONFIRMED
    )
    online = SessionFactory(
        action=ActionFactory(title="Webinaire : santé mentale et quartiers prioritaires"),
        starts_at=start + timedelta(days=3),
        ends_at=start + timedelta(days=3, hours=2),
        is_online=True,
        online_url="https://visio.example.org/sante-mentale",
    )
    RegistrationFactory(session=online, person=person, status=RegistrationStatus.WAITLISTED)
    year = timezone.localdate().year
    for month in (3, 5):
        began = datetime(year - 1, month, 10, 9, 30, tzinfo=PARIS)
        done = SessionFactory(
            action=action, starts_at=began, ends_at=began + timedelta(hours=3, minutes=30)
        )
        RegistrationFactory(session=done, person=person)
        Attendance.objects.create(session=done, person=person, present=True)
        Attendance.objects.create(session=done, person=colleague, present=True)
    evaluated = done

    request = InfoRequestFactory(
        person=person,
        subject="Diagnostic partagé de territoire pour le renouvellement du contrat de ville",
        status=RequestStatus.ANSWERED,
        is_public=True,
        public_question="Comment construire un diagnostic partagé avec les habitant·es ?",
        public_answer="Trois démarches de villes du réseau, avec leurs guides d'entretien.",
    )
    InfoRequestFactory(person=person)
    return {
        "person": person,
        "colleague": colleague,
        "action": action,
        "request": request,
        "follow_token": follow_token(request),
        "cancel_token": registration_cancel_token(registration),
        "cycle_cancel_token": registration_cycle_cancel_token(registration),
        "evaluation_token": evaluation_token(session_id=evaluated.pk, person_id=person.pk),
        "confirm_token": confirm_token_make(
            SubscriberFactory(status=SubscriberStatus.PENDING, confirmed_at=None).pk
        ),
        "manage_token": manage_token_make(SubscriberFactory().pk),
        "registration": registration,
        "publication": PublicationFactory(),
        "issue": issue_with_content(number=61, status=IssueStatus.SENT, sessions=1),
    }


def _visit(page, url: str, axe) -> Visit:
    visit = Visit()
    try:
        response = page.goto(url)
        visit.status = response.status if response else 0
        measure = page.evaluate(MEASURE)
        visit.page_width, visit.width = measure["pageWidth"], measure["width"]
        visit.scrolled, visit.cut = measure["scrolled"], measure["cut"]
        visit.serious = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']]}"
            for v in axe.run(page).response["violations"]
            if v["impact"] in {"serious", "critical"}
        ]
    except Exception as error:  # recorded, then reported by the page's own test
        visit.error = repr(error)
    return visit


@pytest.fixture(scope="module")
def visits(
    request, browser, live_server, django_db_setup, django_db_blocker, axe, tmp_path_factory
):
    """Every page at every width, visited once: {(page, width): Visit}. Only the pages and
    widths of the tests selected (`-k`) are visited."""
    from django.contrib.auth import get_user_model

    wanted = {
        (item.callspec.params["name"], item.callspec.params["width"])
        for item in request.session.items
        if item.module is request.module and hasattr(item, "callspec")
    }
    media = tmp_path_factory.mktemp("media")
    old_media, settings.MEDIA_ROOT = settings.MEDIA_ROOT, media
    found: dict[tuple[str, int], Visit] = {}
    try:
        with django_db_blocker.unblock():
            accounts = get_user_model().objects
            users = {
                "staff": accounts.create_user("equipe@example.org", "x", is_staff=True),
                "member": accounts.create_user("membre@example.org", "correct-horse-battery"),
            }
            data = _member_data(users)
            client = Client()
            client.force_login(users["member"])
            session = client.cookies[settings.SESSION_COOKIE_NAME].value

            for width in sorted({width for _name, width in wanted}):
                context = browser.new_context(
                    locale="fr-FR", viewport={"width": width, "height": 740}
                )
                page = context.new_page()
                for name, args in PUBLIC_PAGES.items():
                    if (name, width) not in wanted:
                        continue
                    url = live_server.url + reverse(name, args=args(data))
                    found[name, width] = _visit(page, url, axe)
                context.add_cookies(
                    [
                        {
                            "name": settings.SESSION_COOKIE_NAME,
                            "value": session,
                            "url": live_server.url,
                        }
                    ]
                )
                for name, args in MEMBER_PAGES.items():
                    if (name, width) not in wanted:
                        continue
                    url = live_server.url + reverse(name, args=args(data))
                    found[name, width] = _visit(page, url, axe)
                context.close()
    finally:
        settings.MEDIA_ROOT = old_media
    return found


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", [*PUBLIC_PAGES, *MEMBER_PAGES])
def test_page_fits_a_phone_and_passes_axe(visits, name, width):
    visit = visits[name, width]
    assert not visit.error, visit.error
    assert visit.status == 200, f"{name} at {width} px answered {visit.status}"
    assert visit.page_width <= visit.width, (
        f"{name} is {visit.page_width} px wide on a {visit.width} px screen"
    )
    assert not visit.scrolled, f"{name} at {width} px scrolls sideways: {visit.scrolled}"
    assert not visit.cut, f"{name} at {width} px cuts off: {visit.cut}"
    assert not visit.serious, f"{name} at {width} px:\n" + "\n".join(visit.serious)


def _names(patterns, namespace: str = "", prefix: str = ""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _names(pattern.url_patterns, inner, route)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield route, namespace + pattern.name


def test_every_member_page_is_checked():
    """A page added under /espace/ is checked on a phone too (or named here as no page)."""
    under_space = {
        name for route, name in _names(get_resolver().url_patterns) if route.startswith("espace/")
    }
    assert under_space - NOT_PAGES == {name for name in MEMBER_PAGES if ":" in name}
