"""The permission matrix: every URL pattern of the project, for each of the five roles.

Each URL pattern (walked from the root resolver, namespaces and admin included) must
have an expected answer for each role, either in MATRIX (keyed by the full URL name,
or by the route for an unnamed pattern) or through a family rule (the admin's
standard model pages). A new URL with neither fails `test_every_url_is_in_the_matrix`.

Expected answers: a status code, a tuple of acceptable codes, or a `Redirect` (302 to
the site login, the admin login, or elsewhere). The objects in the URLs belong to
organisation A (member A); member B must get 404 on them, and the reverse check
(member A on organisation B's objects) is `test_member_a_never_reaches_organisation_b`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.test import Client, RequestFactory, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from portal.core.roles import DIRECTOR_GROUP, STAFF_GROUP

ROLES = ("anonymous", "member_a", "member_b", "staff", "director")
PDF_BYTES = b"%PDF-1.7\n% test document\n%%EOF\n"


@dataclass(frozen=True)
class Redirect:
    """A 302 whose Location starts with `to` ("" = anywhere but a login page)."""

    to: str = ""

    def __repr__(self) -> str:
        return f"Redirect({self.to or 'elsewhere'})"


LOGIN = Redirect("/comptes/login/")
ADMIN_LOGIN = Redirect("/admin/login/")
ELSEWHERE = Redirect()


# The world: two member organisations and one object of every kind ----------------------


@dataclass
class World:
    users: dict = field(default_factory=dict)
    a: dict = field(default_factory=dict)  # organisation A's objects
    b: dict = field(default_factory=dict)  # organisation B's objects
    objects: dict = field(default_factory=dict)  # model label → an instance (admin URLs)
    tokens: dict = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)  # role → session key, signed in once


def _user(email: str, *, staff: bool = False, groups: tuple[str, ...] = ()):
    user = get_user_model().objects.create_user(
        email, "correct-horse-battery", is_staff=staff, first_name="Test"
    )
    user.groups.add(*Group.objects.filter(name__in=groups))
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def _attach_pdf(document) -> None:
    document.pdf.save(f"{document.number}.pdf", ContentFile(PDF_BYTES), save=False)
    document.save(update_fields=["pdf"])


def _organisation_world(label: str, user, staff) -> dict:
    from infodoc.models import RequestStatus
    from members.models import PaymentMethod
    from members.services.billing import credit_note_issue, invoice_issue, payment_record
    from tests.events.factories import RegistrationFactory
    from tests.infodoc.factories import InfoRequestFactory
    from tests.members.factories import MembershipFactory, OrganisationFactory, PersonFactory

    organisation = OrganisationFactory(name=f"Organisation {label}")
    person = PersonFactory(
        email=user.email, organisation=organisation, user=user, is_member_contact=True
    )
    colleague = PersonFactory(organisation=organisation, email=f"collegue.{label}@example.org")
    membership = MembershipFactory(organisation=organisation)
    invoice = invoice_issue(membership=membership, issued_by=staff)
    _attach_pdf(invoice)
    payment = payment_record(
        invoice=invoice,
        amount=Decimal("50.00"),
        method=PaymentMethod.TRANSFER,
        paid_on=timezone.localdate(),
        recorded_by=staff,
    )
    _attach_pdf(payment)
    old = MembershipFactory(organisation=organisation, year=membership.year - 1)
    old_invoice = invoice_issue(membership=old, issued_by=staff)
    _attach_pdf(old_invoice)
    credit_note = credit_note_issue(invoice=old_invoice, reason="Erreur", issued_by=staff)
    _attach_pdf(credit_note)
    return {
        "organisation": organisation,
        "person": person,
        "colleague": colleague,
        "membership": membership,
        "invoice": invoice,
        "payment": payment,
        "credit_note": credit_note,
        "registration": RegistrationFactory(person=person),
        "info_request": InfoRequestFactory(
            person=person,
            status=RequestStatus.ANSWERED,
            is_public=True,
            public_question="Comment monter un conseil citoyen ?",
            public_answer="Voir la fiche pratique.",
        ),
    }


def _report_world(director) -> tuple:
    """This year's report texts and a built PDF (private media, served to directors)."""
    from portal.reports.models import BuildStatus, ReportBuild, ReportEdition

    year = timezone.localdate().year
    edition = ReportEdition.objects.create(year=year, foreword="Avant-propos.")
    report = ReportBuild(
        year=year, status=BuildStatus.DONE, progress=100, requested_by=director,
        requested_at=timezone.now(), finished_at=timezone.now(), size=len(PDF_BYTES), pages=1,
    )  # fmt: skip
    report.file.save("rapport-activite-test.pdf", ContentFile(PDF_BYTES), save=False)
    report.save()
    return edition, report


def _privacy_world(colleague, staff) -> tuple:
    """An erasure asked for (not confirmed) about A's colleague, a retention dry run and a
    consent record."""
    from portal.core.consent import consent_record
    from portal.privacy.models import RetentionRun
    from portal.privacy.selectors import subject_find
    from portal.privacy.services import erasure_request

    erasure = erasure_request(
        subject=subject_find(email=colleague.email), requested_by=staff, reason="Demande écrite"
    )
    consent = consent_record(
        purpose="newsletter", email="lecteur@example.org", wording="J'accepte.",
        source="newsletter:subscribe",
    )  # fmt: skip
    return erasure, RetentionRun.objects.create(dry_run=True), consent


def _build_world() -> World:
    from events.models import Attendance, Evaluation
    from events.services.evaluations import evaluation_token
    from events.services.registrations import (
        registration_cancel_token,
        registration_cycle_cancel_token,
    )
    from infodoc.models import Loan
    from infodoc.services.intake import follow_token
    from members.models import DuesCampaign
    from newsletter.models import IssueStatus
    from newsletter.tokens import confirm_token_make, manage_token_make
    from portal.core.mail import mail_queue
    from portal.core.models import AuditEntry, Commune, Department, Epci, SiteSettings
    from portal.core.sheets.jobs import import_job_create
    from tests.events.factories import ActionFactory, SessionFactory
    from tests.infodoc.factories import ResourceFactory
    from tests.members.factories import (
        CommuneFactory,
        DuesRuleFactory,
        EpciFactory,
        MembershipRequestFactory,
        PersonFactory,
    )
    from tests.newsletter.factories import DeliveryFactory, IssueFactory, SubscriberFactory
    from tests.publications.factories import PublicationFactory

    cache.clear()  # SiteSettings.load() must create its row, not read a cached one
    world = World()
    staff = _user("equipe@example.org", staff=True, groups=(STAFF_GROUP,))
    director = _user("direction@example.org", staff=True, groups=(DIRECTOR_GROUP, STAFF_GROUP))
    member_a = _user("membre.a@example.org")
    member_b = _user("membre.b@example.org")
    world.users = {"member_a": member_a, "member_b": member_b, "staff": staff}
    world.users["director"] = director
    world.a = _organisation_world("A", member_a, staff)
    world.b = _organisation_world("B", member_b, staff)

    action = ActionFactory(slug="permissions-action")
    session = SessionFactory(action=action)
    past = SessionFactory(
        action=action,
        starts_at=timezone.now() - timedelta(days=3),
        ends_at=timezone.now() - timedelta(days=3) + timedelta(hours=3),
    )
    attendance = Attendance.objects.create(session=past, person=world.a["person"], present=True)
    evaluation = Evaluation.objects.create(
        session=past, person=world.b["person"], satisfaction=5, usefulness=5
    )
    publication = PublicationFactory(slug="permissions-publication")
    publication.file.save("permissions.pdf", ContentFile(PDF_BYTES), save=True)
    publication.media_file.save("permissions.mp3", ContentFile(b"ID3" + bytes(64)), save=True)
    issue = IssueFactory(status=IssueStatus.SENT, sent_at=timezone.now())
    subscriber = SubscriberFactory()
    delivery = DeliveryFactory(issue=issue, subscriber=subscriber)
    resource = ResourceFactory(is_lendable=True)
    loan = Loan.objects.create(
        resource=resource,
        person=PersonFactory(),
        lent_on=timezone.localdate(),
        due_on=timezone.localdate() + timedelta(days=14),
    )
    campaign = DuesCampaign.objects.create(year=timezone.localdate().year + 1, created_by=staff)
    edition, report = _report_world(director)
    erasure, retention_run, consent = _privacy_world(world.a["colleague"], staff)
    EpciFactory()
    CommuneFactory()
    import_job = import_job_create(
        kind="newsletter.subscribers",
        upload=SimpleUploadedFile(
            "abonnes.csv", b"Courriel;Base du consentement\nnot-an-address;x\n"
        ),
        options={},
        actor=staff,
    )
    world.objects = {
        "auth.group": Group.objects.get(name=STAFF_GROUP),
        "account.emailaddress": EmailAddress.objects.get(user=member_a),
        "core.user": member_a,
        "core.sitesettings": SiteSettings.load(),
        "core.department": Department.objects.first(),
        "core.epci": Epci.objects.first(),
        "core.commune": Commune.objects.first(),
        "core.auditentry": AuditEntry.objects.first(),
        "core.importjob": import_job,
        "members.invoice": world.a["invoice"],
        "members.creditnote": world.a["credit_note"],
        "members.payment": world.a["payment"],
        "members.duescampaign": campaign,
        "members.organisation": world.a["organisation"],
        "members.person": world.a["person"],
        "members.duesrule": DuesRuleFactory(year=timezone.localdate().year),
        "members.membership": world.a["membership"],
        "members.membershiprequest": MembershipRequestFactory(),
        "events.session": session,
        "events.action": action,
        "events.registration": world.a["registration"],
        "events.attendance": attendance,
        "events.evaluation": evaluation,
        "publications.publication": publication,
        "infodoc.resource": resource,
        "infodoc.loan": loan,
        "infodoc.inforequest": world.a["info_request"],
        "newsletter.delivery": delivery,
        "newsletter.issue": issue,
        "newsletter.subscriber": subscriber,
        "reports.reportedition": edition,
        "reports.reportbuild": report,
        "privacy.erasurerequest": erasure,
        "privacy.subjectlookup": erasure,
        "privacy.retentionrun": retention_run,
        "core.consentrecord": consent,
        "core.outgoingmail": mail_queue(
            EmailMessage(subject="Permissions", body="Test", to=["permissions@example.org"])
        ),
    }
    world.tokens = {
        "evaluation": evaluation_token(session_id=past.pk, person_id=world.a["person"].pk),
        "cancel": registration_cancel_token(world.a["registration"]),
        "cycle_cancel": registration_cycle_cancel_token(world.a["registration"]),
        "manage": manage_token_make(subscriber.pk),
        "confirm": confirm_token_make(subscriber.pk),
        "follow": follow_token(world.a["info_request"]),
    }
    for role, user in world.users.items():
        client = Client()
        client.force_login(user)
        world.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction rolled back at the end; each test
    runs in a savepoint of it (pytest-django's `db`)."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    media.enable()
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)
    media.disable()


# The URL patterns ----------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    key: str  # full name, or the full route of an unnamed pattern
    route: str
    name: str | None
    pattern: URLPattern


def _walk(resolver, prefix="", namespace=""):
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            inner = namespace
            if item.namespace:
                inner = f"{namespace}:{item.namespace}" if namespace else item.namespace
            yield from _walk(item, prefix + str(item.pattern), inner)
        else:
            route = prefix + str(item.pattern)
            name = None
            if item.name:
                name = f"{namespace}:{item.name}" if namespace else item.name
            yield Pattern(name or route, route, name, item)


def all_patterns() -> list[Pattern]:
    return list(_walk(get_resolver()))


ADMIN_STANDARD = re.compile(r"^admin:(\w+?)_(\w+)_(changelist|add|history|delete|change)$")
ADMIN_UNNAMED = re.compile(r"^admin/(\w+)/(\w+)/<path:object_id>/$")


def _admin_model(app_model: str):
    """The (model, model admin) of "app_model" as it appears in admin URL names."""
    for model, model_admin in admin.site._registry.items():
        if f"{model._meta.app_label}_{model._meta.model_name}" == app_model:
            return model, model_admin
    return None, None


def _admin_object(world: World, model):
    return world.objects[model._meta.label_lower]


# Arguments of each URL that takes some; objects are organisation A's.
def _kwargs(world: World) -> dict:
    a, objects, tokens = world.a, world.objects, world.tokens
    session = objects["events.session"]
    return {
        "events_evaluation:form": {"token": tokens["evaluation"]},
        "events:registration_cancel": {"token": tokens["cancel"]},
        "events:cycle_cancel": {"token": tokens["cycle_cancel"]},
        "events:action": {"slug": "permissions-action"},
        "events:action_ics": {"slug": "permissions-action"},
        "events:registration_done": {"slug": "permissions-action"},
        "publications:detail": {"slug": "permissions-publication"},
        "publications:download": {"slug": "permissions-publication"},
        "publications:media": {"slug": "permissions-publication"},
        "infodoc:qa_detail": {
            "pk": a["info_request"].pk,
            "slug": a["info_request"].public_slug,
        },
        "newsletter:issue": {"number": objects["newsletter.issue"].number},
        "newsletter:issue_pdf": {
            "number": objects["newsletter.issue"].number,
            "pdf_number": objects["newsletter.issue"].number,
        },
        "newsletter:confirm": {"token": tokens["confirm"]},
        "newsletter:unsubscribe": {"token": tokens["manage"]},
        "newsletter:preferences": {"token": tokens["manage"]},
        "infodoc:follow": {"token": tokens["follow"]},
        "public_media": {"folder": "publications/covers", "name": "absent-cover.jpg"},
        "core:private_file": {"name": a["invoice"].pdf.name},
        "members:space_invoice_pdf": {"number": a["invoice"].number},
        "members:space_credit_note_pdf": {"number": a["credit_note"].number},
        "members:space_receipt_pdf": {"number": a["payment"].number},
        "members:space_person": {"pk": a["colleague"].pk},
        "events_space:registration_cancel": {"pk": a["registration"].pk},
        "events_space:certificate": {"action_id": objects["events.action"].pk},
        "admin:events_action_certificate": {
            "object_id": objects["events.action"].pk,
            "person_id": a["person"].pk,
        },
        "admin:events_action_certificate_mail": {
            "object_id": objects["events.action"].pk,
            "person_id": a["person"].pk,
        },
        "infodoc_space:request": {"reference": a["info_request"].reference},
        "admin:view_on_site": {
            "content_type_id": _content_type_id(objects["publications.publication"]),
            "object_id": objects["publications.publication"].pk,
        },
        "admin:app_list": {"app_label": "members"},
        "admin:auth_user_password_change": {"id": objects["core.user"].pk},
        "admin:events_session_checkin_toggle": {
            "object_id": session.pk,
            "person_id": a["person"].pk,
        },
        "admin:infodoc_inforequest_transition": {
            "object_id": objects["infodoc.inforequest"].pk,
            "to_status": "closed",
        },
        "admin:newsletter_issue_move": {
            "object_id": objects["newsletter.issue"].pk,
            "move": "pause",
        },
        "account_confirm_email": {"key": "not-a-real-key"},
        "admin:core_importjob_upload": {"kind": "newsletter.subscribers"},
        "admin:core_importjob_template": {"kind": "newsletter.subscribers"},
        **{
            f"admin:core_importjob_{page}": {"job_id": objects["core.importjob"].pk}
            for page in ("progress", "confirm", "cancel", "rejected")
        },
        "reports:build": {"year": objects["reports.reportbuild"].year},
        "reports:progress": {"year": objects["reports.reportbuild"].year},
        "reports:download": {"year": objects["reports.reportbuild"].year},
        "reports:xlsx": {"year": objects["reports.reportbuild"].year},
        "reports:csv": {"year": objects["reports.reportbuild"].year, "table": "chiffres"},
        "admin:privacy_erasurerequest_confirm": {"object_id": objects["privacy.erasurerequest"].pk},
        "admin:privacy_erasurerequest_cancel": {"object_id": objects["privacy.erasurerequest"].pk},
        "account_reset_password_from_key": {"uidb36": "1", "key": "not-a-real-key"},
    }


def _content_type_id(obj) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


def url_of(world: World, pattern: Pattern) -> str:
    if pattern.name is None:
        if match := ADMIN_UNNAMED.match(pattern.route):
            model, _model_admin = _admin_model(f"{match[1]}_{match[2]}")
            return f"/admin/{match[1]}/{match[2]}/{_admin_object(world, model).pk}/"
        if pattern.route == "admin/(?P<url>.*)$":
            return "/admin/no-such-page/"
        raise AssertionError(f"no URL for the unnamed pattern {pattern.route!r}")
    kwargs = _kwargs(world).get(pattern.name)
    if kwargs is None and "object_id" in pattern.route:
        match = re.match(r"^admin:(\w+?_\w+?)_[a-z_]+$", pattern.name)
        model = None
        if match:
            for candidate in admin.site._registry:
                label = f"{candidate._meta.app_label}_{candidate._meta.model_name}"
                if pattern.name.startswith(f"admin:{label}_"):
                    model = candidate
        assert model is not None, pattern.name
        kwargs = {"object_id": _admin_object(world, model).pk}
    return reverse(pattern.name, kwargs=kwargs)


# Probing ------------------------------------------------------------------------------


def login_as(role: str, world: World) -> Client:
    client = Client()
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return client


def observe(response):
    if response.status_code in (301, 302):
        return response.status_code, response["Location"]
    return response.status_code, None


def matches(expected, status: int, location: str | None) -> bool:
    if isinstance(expected, Redirect):
        if status != 302:
            return False
        if expected.to:
            return location.startswith(expected.to)
        return not location.startswith(("/comptes/login/", "/admin/login/"))
    if isinstance(expected, tuple):
        return status in expected
    return status == expected


# The matrix ----------------------------------------------------------------------------
# Rows in ROLES order: anonymous, member A, member B, staff, director.

PUBLIC = (200, 200, 200, 200, 200)
GONE = (404, 404, 404, 404, 404)
POST_ONLY = (405, 405, 405, 405, 405)
# Member-space pages; staff and director have no Person and see the "unlinked" page.
MEMBER_PAGE = (LOGIN, 200, 200, 200, 200)
# A file or object of organisation A in the member space.
MEMBER_A_FILE = (LOGIN, 200, 404, 404, 404)
MEMBER_A_PAGE = (LOGIN, 200, 404, 200, 200)
# A member's own file (their personal data); staff and director have no Person here.
MEMBER_FILE = (LOGIN, 200, 200, 404, 404)
# A private file of organisation A (core:private_file): its members and the back office.
FILE_OF_A = (LOGIN, 200, 404, 200, 200)
# The director dashboard and its files: the Direction group only.
DIRECTOR_PAGE = (LOGIN, 403, 403, 403, 200)


def staff_only(answer) -> tuple:
    return (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, answer, answer)


MATRIX: dict[str, tuple] = {
    "public_media": GONE,  # a missing cover
    "core:private_file": FILE_OF_A,  # A's invoice: every admin link to a file leads here
    "core:home": PUBLIC,
    "core:legal_notice": PUBLIC,
    "core:privacy": PUBLIC,
    "core:accessibility": PUBLIC,
    "core:site_map": PUBLIC,
    "core:theme_css": PUBLIC,
    "events_evaluation:thanks": PUBLIC,
    "events_evaluation:form": PUBLIC,  # by signed token
    "events:agenda": PUBLIC,
    "events:agenda_ics": PUBLIC,
    "events:feed": PUBLIC,
    "events:past_actions": PUBLIC,
    "events:registration_cancel": PUBLIC,  # by signed token; GET only confirms
    "events:cycle_cancel": PUBLIC,  # by signed token; GET only confirms
    "events:action": PUBLIC,
    "events:action_ics": PUBLIC,
    "events:registration_done": PUBLIC,
    "publications:list": PUBLIC,
    "publications:feed": PUBLIC,
    "publications:detail": PUBLIC,
    "publications:download": PUBLIC,
    "publications:media": PUBLIC,
    "oai:endpoint": PUBLIC,
    "newsletter:archive": PUBLIC,
    "newsletter:issue": PUBLIC,
    "newsletter:issue_pdf": PUBLIC,
    "newsletter:subscribe": PUBLIC,
    "newsletter:subscribe_done": PUBLIC,
    "newsletter:confirm": PUBLIC,
    "newsletter:unsubscribe": PUBLIC,  # GET shows a confirmation, only POST unsubscribes
    "newsletter:preferences": PUBLIC,
    "infodoc:index": PUBLIC,
    "infodoc:done": PUBLIC,
    "infodoc:follow": PUBLIC,  # by signed token
    "infodoc:qa_list": PUBLIC,
    "infodoc:qa_detail": PUBLIC,  # A's request, published as an anonymised Q&A
    "members:public_list": PUBLIC,
    "members:request_done": PUBLIC,
    "members:space": MEMBER_PAGE,
    "members:space_dues": MEMBER_PAGE,
    "members:space_invoice_pdf": MEMBER_A_FILE,
    "members:space_credit_note_pdf": MEMBER_A_FILE,
    "members:space_receipt_pdf": MEMBER_A_FILE,
    "members:space_people": MEMBER_PAGE,
    "members:space_invite": MEMBER_PAGE,
    "members:space_person": MEMBER_A_PAGE,
    "members:space_details": MEMBER_PAGE,
    "events_space:registrations": MEMBER_PAGE,
    "events_space:registration_cancel": MEMBER_A_PAGE,  # GET asks for confirmation
    "events_space:participation": MEMBER_PAGE,
    "events_space:certificate": MEMBER_A_FILE,  # A's person attended the world's action
    "infodoc_space:requests": MEMBER_PAGE,
    "infodoc_space:request": MEMBER_A_PAGE,
    "reports:dashboard": DIRECTOR_PAGE,
    "reports:build": POST_ONLY,
    "reports:progress": DIRECTOR_PAGE,
    "reports:download": DIRECTOR_PAGE,  # the PDF; /media/reports/ has no URL
    "reports:xlsx": DIRECTOR_PAGE,
    "reports:csv": DIRECTOR_PAGE,
    "privacy_space:data": MEMBER_PAGE,  # always the signed-in person's own data
    "privacy_space:data_json": MEMBER_FILE,
    "privacy_space:data_pdf": MEMBER_FILE,
    "admin:privacy_subjectlookup_changelist": staff_only(200),
    "admin:privacy_subjectlookup_json": staff_only(405),  # the email travels in a POST
    "admin:privacy_subjectlookup_pdf": staff_only(405),
    "admin:privacy_subjectlookup_erasure": staff_only(405),
    "admin:privacy_erasurerequest_confirm": staff_only(200),
    "admin:privacy_erasurerequest_cancel": staff_only(405),
    # The back office: named pages beyond each model's standard ones.
    "admin:index": staff_only(200),
    "admin:login": (200, 200, 200, Redirect("/admin/"), Redirect("/admin/")),
    "admin:logout": (Redirect("/admin/"),) * 3 + (405, 405),
    "admin:password_change": staff_only(200),
    "admin:password_change_done": staff_only(200),
    "admin:autocomplete": staff_only(403),  # without its parameters
    "admin:jsi18n": staff_only(200),
    "admin:view_on_site": staff_only(Redirect("http://testserver/publications/")),
    "admin:app_list": staff_only(200),
    "admin/(?P<url>.*)$": staff_only(404),
    "admin:auth_user_password_change": staff_only(403),
    # Imports of spreadsheets: one page per kind, then one per file sent.
    "admin:core_importjob_upload": staff_only(200),
    "admin:core_importjob_template": staff_only(200),
    "admin:core_importjob_progress": staff_only(200),
    "admin:core_importjob_confirm": staff_only(405),
    "admin:core_importjob_cancel": staff_only(405),
    "admin:core_importjob_rejected": staff_only(200),
    "admin:members_invoice_record_payment": staff_only(200),
    "admin:members_invoice_credit_note": staff_only(200),
    "admin:members_invoice_reminder": staff_only(200),  # a confirmation page; POST sends
    "admin:members_invoice_journal": staff_only(200),
    "admin:members_duescampaign_start": staff_only(200),
    "admin:members_duescampaign_progress": staff_only(200),
    # The world's campaign has no call for Chorus Pro: back to its page, with a message.
    "admin:members_duescampaign_chorus_zip": staff_only(ELSEWHERE),
    "admin:members_organisation_export": staff_only(200),
    "admin:members_person_export": staff_only(200),
    "admin:members_membership_export": staff_only(200),
    "admin:events_session_checkin": staff_only(200),
    "admin:events_session_checkin_toggle": staff_only(405),
    "admin:events_session_walk_in": staff_only(405),
    "admin:events_session_headcount": staff_only(405),
    "admin:events_session_signin_sheet": staff_only(200),
    "admin:events_action_certificate": staff_only(200),
    "admin:events_action_certificates": staff_only(200),
    "admin:events_action_certificate_mail": staff_only(200),  # a confirmation; POST sends
    "admin:events_registration_export": staff_only(200),
    "admin:events_attendance_export": staff_only(200),
    "admin:events_evaluation_summary": staff_only(200),
    "admin:infodoc_inforequest_answer": staff_only(200),
    "admin:infodoc_inforequest_publish": staff_only(200),
    "admin:infodoc_inforequest_unpublish": staff_only(405),
    "admin:infodoc_inforequest_assign_to_me": staff_only(405),
    "admin:infodoc_inforequest_transition": staff_only(405),
    "admin:newsletter_issue_move": staff_only(200),  # a confirmation page; POST moves
    "admin:newsletter_issue_progress": staff_only(200),
    "admin:newsletter_issue_preview": staff_only(200),
    "admin:newsletter_issue_preview_text": staff_only(200),
    "admin:newsletter_issue_proof": staff_only(200),
    # Erasure goes through « Personal data of a person » (asked, then confirmed).
    "admin:newsletter_subscriber_delete": staff_only(403),
    "admin:newsletter_subscriber_export": staff_only(200),
    # Accounts (allauth); self sign-up is closed (the page says so).
    "account_login": (200, ELSEWHERE, ELSEWHERE, ELSEWHERE, ELSEWHERE),
    "account_logout": (ELSEWHERE, 200, 200, 200, 200),
    "account_inactive": PUBLIC,
    "account_signup": (200, ELSEWHERE, ELSEWHERE, ELSEWHERE, ELSEWHERE),
    "account_reauthenticate": MEMBER_PAGE,
    "account_email": MEMBER_PAGE,
    "account_email_verification_sent": PUBLIC,
    "account_change_password": MEMBER_PAGE,
    "account_set_password": (LOGIN,) + (Redirect("/comptes/password/change/"),) * 4,
    "account_reset_password": PUBLIC,
    "account_confirm_login_code": (Redirect("/comptes/login/code/"),) + (ELSEWHERE,) * 4,
    "account_confirm_email": PUBLIC,  # "invalid link" page for a made-up key
    "account_reset_password_from_key_done": PUBLIC,
    "account_reset_password_from_key": PUBLIC,  # "invalid link" page
    "account_reset_password_done": PUBLIC,
    "account_request_login_code": (200, ELSEWHERE, ELSEWHERE, ELSEWHERE, ELSEWHERE),
    # 503 while no worker heartbeat is in Redis (none runs here), never a 500.
    "healthz": ((200, 503),) * 5,
    "robots_txt": PUBLIC,
    "django.contrib.sitemaps.views.sitemap": PUBLIC,
}

# The mail provider's webhooks (django-anymail): POST only; a GET never reaches a page.
WEBHOOK = re.compile(r"^newsletter:\w+_tracking_webhook$")
# Back-office models that stay with superusers: the team gets 403 on every page.
SUPERUSER_ONLY = {"auth_group", "account_emailaddress", "core_user"}


def _admin_standard(pattern: Pattern, world: World | None) -> tuple | None:
    """The family rule of the admin's standard model pages: anonymous and members go to
    the admin login; staff and director get what their model permissions say."""
    if pattern.name is None:
        match = ADMIN_UNNAMED.match(pattern.route)
        if not match:
            return None
        model, model_admin = _admin_model(f"{match[1]}_{match[2]}")
        if model is None:
            return None
        if world is None:
            return staff_only(ELSEWHERE)
        pk = _admin_object(world, model).pk
        return staff_only(Redirect(f"/admin/{match[1]}/{match[2]}/{pk}/change/"))
    match = ADMIN_STANDARD.match(pattern.name)
    if not match:
        return None
    app_model = f"{match[1]}_{match[2]}"
    model, model_admin = _admin_model(app_model)
    if model is None:
        return None
    if app_model in SUPERUSER_ONLY:
        return staff_only(403)
    if world is None:
        return staff_only(200)
    answers = []
    for role in ("staff", "director"):
        request = RequestFactory().get("/admin/")
        request.user = world.users[role]
        obj = _admin_object(world, model)
        allowed = {
            "changelist": model_admin.has_view_or_change_permission(request),
            "history": model_admin.has_view_or_change_permission(request, obj),
            "change": model_admin.has_view_or_change_permission(request, obj),
            "add": model_admin.has_add_permission(request),
            "delete": model_admin.has_delete_permission(request, obj),
        }[match[3]]
        answers.append(200 if allowed else 403)
    return (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, *answers)


def expected_for(pattern: Pattern, world: World | None = None) -> tuple | None:
    if pattern.key in MATRIX:
        return MATRIX[pattern.key]
    if pattern.name and WEBHOOK.match(pattern.name):
        return ((404, 405),) * 5
    return _admin_standard(pattern, world)


PATTERNS = all_patterns()


def test_every_url_is_in_the_matrix():
    missing = [p.key for p in PATTERNS if expected_for(p) is None]
    assert not missing, f"URL patterns without an expected answer per role: {missing}"
    stale = set(MATRIX) - {p.key for p in PATTERNS}
    assert not stale, f"matrix entries for URLs that no longer exist: {sorted(stale)}"
    keys = [p.key for p in PATTERNS]
    assert len(keys) == len(set(keys)), "two patterns share a name; key them by route"


def _state(world: World) -> dict:
    """What a GET must never change."""
    from events.models import Attendance, Registration
    from infodoc.models import InfoRequest
    from members.models import CreditNote, Invoice, Organisation, Payment, Person
    from newsletter.models import Issue, Subscriber

    return {
        "subscribers": list(Subscriber.objects.order_by("pk").values_list("pk", "status")),
        "issues": list(Issue.objects.order_by("pk").values_list("pk", "status")),
        "registrations": list(Registration.objects.order_by("pk").values_list("pk", "status")),
        "requests": list(
            InfoRequest.objects.order_by("pk").values_list("pk", "status", "assignee")
        ),
        "attendance": list(Attendance.objects.order_by("pk").values_list("pk", "present")),
        "invoices": Invoice.objects.count(),
        "credit_notes": CreditNote.objects.count(),
        "payments": Payment.objects.count(),
        "organisations": Organisation.objects.count(),
        "people": Person.objects.count(),
    }


# Texts of organisation A that nobody else may read in the member space.
def _secrets_of_a(world: World) -> list[str]:
    return [
        world.a["organisation"].name,
        world.a["colleague"].email,
        world.a["info_request"].subject,
        world.a["invoice"].number,
    ]


SPACE = re.compile(r"^(members:space|events_space:|infodoc_space:)")


@pytest.mark.parametrize("pattern", PATTERNS, ids=[p.key for p in PATTERNS])
def test_permission_matrix(world, db, subtests, pattern):
    expected = expected_for(pattern, world)
    assert expected is not None, f"{pattern.key} is not in the matrix"
    url = url_of(world, pattern)
    before = _state(world)
    for role, answer in zip(ROLES, expected, strict=True):
        with subtests.test(url=pattern.key, role=role):
            response = login_as(role, world).get(url)
            status, location = observe(response)
            assert status < 500 or answer == (200, 503), f"{url} as {role}: {status}"
            assert matches(answer, status, location), (
                f"{url} as {role}: expected {answer!r}, got {status} {location or ''}"
            )
            if SPACE.match(pattern.key) and role != "member_a" and status == 200:
                body = response.content.decode()
                leaked = [text for text in _secrets_of_a(world) if text in body]
                assert not leaked, f"{url} as {role} shows organisation A's {leaked}"
    assert _state(world) == before, f"a GET on {url} changed data"


def test_member_a_never_reaches_organisation_b(world, db):
    b = world.b
    client = login_as("member_a", world)
    for name, kwargs in [
        ("members:space_invoice_pdf", {"number": b["invoice"].number}),
        ("members:space_credit_note_pdf", {"number": b["credit_note"].number}),
        ("members:space_receipt_pdf", {"number": b["payment"].number}),
        ("members:space_person", {"pk": b["colleague"].pk}),
        ("members:space_person", {"pk": b["person"].pk}),
        ("infodoc_space:request", {"reference": b["info_request"].reference}),
    ]:
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404, name
    cancel = reverse("events_space:registration_cancel", kwargs={"pk": b["registration"].pk})
    assert client.post(cancel).status_code == 404
    b["registration"].refresh_from_db()
    assert b["registration"].status == "confirmed"


# A few POSTs on the risky back-office actions: nobody but staff gets through.
def _risky_posts(world: World) -> list[tuple[str, dict]]:
    objects = world.objects
    organisation = objects["members.organisation"]
    issue, subscriber = objects["newsletter.issue"], objects["newsletter.subscriber"]
    return [
        (
            reverse("admin:members_organisation_changelist"),
            {"action": "delete_selected", "_selected_action": [organisation.pk], "post": "yes"},
        ),
        (reverse("admin:members_organisation_delete", args=[organisation.pk]), {"post": "yes"}),
        (reverse("admin:members_invoice_reminder", args=[objects["members.invoice"].pk]), {}),
        (reverse("admin:newsletter_issue_move", args=[issue.pk, "pause"]), {}),
        (
            reverse(
                "admin:infodoc_inforequest_transition",
                args=[objects["infodoc.inforequest"].pk, "closed"],
            ),
            {},
        ),
        (
            reverse(
                "admin:events_session_checkin_toggle",
                args=[objects["events.session"].pk, world.a["person"].pk],
            ),
            {},
        ),
        (reverse("admin:newsletter_subscriber_delete", args=[subscriber.pk]), {"post": "yes"}),
        (reverse("admin:members_duescampaign_start"), {"year": 2030}),
    ]


@pytest.mark.parametrize("role", ["anonymous", "member_a", "member_b"])
def test_risky_admin_posts_send_outsiders_to_the_admin_login(world, db, role):
    before = _state(world)
    for url, data in _risky_posts(world):
        response = login_as(role, world).post(url, data)
        assert response.status_code == 302, (url, role, response.status_code)
        assert response["Location"].startswith("/admin/login/"), (url, role)
    assert _state(world) == before
