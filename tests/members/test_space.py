"""The member space ("Mon espace"): what a member sees, downloads, invites and edits."""

from __future__ import annotations

import re
import sys
import types
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.contrib.messages import constants as message_levels
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members.models import (
    Invoice,
    Membership,
    MembershipStatus,
    Organisation,
    PaymentMethod,
    Person,
)
from members.services.billing import credit_note_issue, invoice_issue, payment_record
from portal.core.models import AuditEntry
from tests.members.factories import (
    IndividualMembershipFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
)

PDF_BYTES = b"%PDF-1.7\n% test document\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class Member:
    user: object
    person: Person
    organisation: Organisation | None
    membership: Membership


def attach_pdf(document) -> None:
    """Stand-in for members.documents: give an issued document its PDF file."""
    document.pdf.save(f"{document.number}.pdf", ContentFile(PDF_BYTES), save=False)
    document.save(update_fields=["pdf"])


def issue_invoice(membership, staff_user, *, pdf: bool = True) -> Invoice:
    invoice = invoice_issue(membership=membership, issued_by=staff_user)
    if pdf:
        attach_pdf(invoice)
    return invoice


@pytest.fixture
def member_a(member_user) -> Member:
    organisation = OrganisationFactory(name="Association Les Jardins Partagés")
    person = PersonFactory(
        first_name="Sophie",
        last_name="Durand",
        email="membre@example.org",
        organisation=organisation,
        user=member_user,
        is_member_contact=True,
    )
    membership = MembershipFactory(organisation=organisation)
    return Member(member_user, person, organisation, membership)


@pytest.fixture
def member_b(make_user, staff_user) -> tuple[Member, dict]:
    """Another member organisation with every kind of document and a second person."""
    user = make_user("autre@example.org")
    organisation = OrganisationFactory(name="Centre social Les Tilleuls")
    person = PersonFactory(
        email="autre@example.org", organisation=organisation, user=user, is_member_contact=True
    )
    colleague = PersonFactory(organisation=organisation, email="collegue.b@example.org")
    membership = MembershipFactory(organisation=organisation)
    invoice = issue_invoice(membership, staff_user)
    payment = payment_record(
        invoice=invoice,
        amount=Decimal("50.00"),
        method=PaymentMethod.TRANSFER,
        paid_on=timezone.localdate(),
        recorded_by=staff_user,
    )
    attach_pdf(payment)
    old = MembershipFactory(organisation=organisation, year=membership.year - 1)
    old_invoice = issue_invoice(old, staff_user)
    credit_note = credit_note_issue(invoice=old_invoice, reason="Erreur", issued_by=staff_user)
    attach_pdf(credit_note)
    documents = {
        "invoice": invoice,
        "payment": payment,
        "credit_note": credit_note,
        "colleague": colleague,
    }
    return Member(user, person, organisation, membership), documents


# What a member sees ---------------------------------------------------------------------


def test_member_sees_organisation_membership_status_and_invoices(client, member_a, staff_user):
    invoice = issue_invoice(member_a.membership, staff_user)
    client.force_login(member_a.user)

    response = client.get(reverse("members:space"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Association Les Jardins Partagés" in content
    assert invoice.number in content
    assert "150,00\u00a0€" in content
    assert reverse("members:space_invoice_pdf", args=[invoice.number]) in content
    [membership] = response.context["memberships"]
    assert membership == member_a.membership
    assert membership.derived_status == MembershipStatus.INVOICED
    assert [i.number for i in response.context["invoices"]] == [invoice.number]


def test_status_follows_payments_and_the_dues_page_lists_every_document(
    client, member_a, staff_user
):
    invoice = issue_invoice(member_a.membership, staff_user)
    payment = payment_record(
        invoice=invoice,
        amount=Decimal("150.00"),
        method=PaymentMethod.CHEQUE,
        paid_on=timezone.localdate(),
        recorded_by=staff_user,
    )
    previous = MembershipFactory(
        organisation=member_a.organisation, year=member_a.membership.year - 1
    )
    cancelled = issue_invoice(previous, staff_user)
    credit_note = credit_note_issue(invoice=cancelled, reason="Doublon", issued_by=staff_user)
    client.force_login(member_a.user)

    home = client.get(reverse("members:space"))
    assert home.context["memberships"][0].derived_status == MembershipStatus.PAID

    response = client.get(reverse("members:space_dues"))
    assert response.status_code == 200
    content = response.content.decode()
    for number in (invoice.number, cancelled.number, credit_note.number, payment.number):
        assert number in content
    statuses = {m.year: m.derived_status for m in response.context["memberships"]}
    assert statuses == {
        member_a.membership.year: MembershipStatus.PAID,
        previous.year: MembershipStatus.TO_INVOICE,
    }
    assert reverse("members:space_receipt_pdf", args=[payment.number]) in content
    assert reverse("members:space_credit_note_pdf", args=[credit_note.number]) in content


def test_individual_member_sees_own_membership_and_documents(client, make_user, staff_user):
    user = make_user("individuel@example.org")
    membership = IndividualMembershipFactory(person__user=user, person__email=user.email)
    invoice = issue_invoice(membership, staff_user)
    client.force_login(user)

    response = client.get(reverse("members:space"))

    assert response.status_code == 200
    assert response.context["organisation"] is None
    assert [m.pk for m in response.context["memberships"]] == [membership.pk]
    assert invoice.number in response.content.decode()
    pdf = client.get(reverse("members:space_invoice_pdf", args=[invoice.number]))
    assert pdf.status_code == 200
    # No organisation: no colleagues to list or invite.
    assert client.get(reverse("members:space_people")).status_code == 404
    assert client.get(reverse("members:space_invite")).status_code == 404


def test_account_without_person_gets_a_friendly_page(client, staff_user):
    client.force_login(staff_user)
    for name in ("members:space", "members:space_dues", "members:space_details"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert "members/space_unlinked.html" in [t.name for t in response.templates]
    assert client.get(reverse("members:space_invoice_pdf", args=["2026-0001"])).status_code == 404


def test_member_without_membership_this_year_is_told_so(client, member_user):
    PersonFactory(user=member_user, email=member_user.email)
    client.force_login(member_user)
    response = client.get(reverse("members:space"))
    assert response.status_code == 200
    assert response.context["memberships"] == []
    assert response.context["invoices"].count() == 0


# PDF downloads ---------------------------------------------------------------------------


def test_member_downloads_the_pdf_of_their_invoice(client, member_a, staff_user):
    invoice = issue_invoice(member_a.membership, staff_user)
    client.force_login(member_a.user)

    response = client.get(reverse("members:space_invoice_pdf", args=[invoice.number]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_download_renders_a_missing_pdf_first(client, member_a, staff_user, monkeypatch):
    invoice = issue_invoice(member_a.membership, staff_user, pdf=False)
    calls = []

    def document_attach_pdf(*, kind: str, pk: int) -> None:
        calls.append((kind, pk))
        attach_pdf(Invoice.objects.get(pk=pk))

    fake = types.ModuleType("members.documents")
    fake.document_attach_pdf = document_attach_pdf
    monkeypatch.setitem(sys.modules, "members.documents", fake)
    client.force_login(member_a.user)

    response = client.get(reverse("members:space_invoice_pdf", args=[invoice.number]))

    assert response.status_code == 200
    assert calls == [("invoice", invoice.pk)]
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_download_with_the_real_pdf_renderer(client, member_a, staff_user):
    pytest.importorskip("members.documents")
    invoice = issue_invoice(member_a.membership, staff_user, pdf=False)
    client.force_login(member_a.user)

    response = client.get(reverse("members:space_invoice_pdf", args=[invoice.number]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    invoice.refresh_from_db()
    assert invoice.pdf


# Isolation -------------------------------------------------------------------------------


def test_member_gets_404_on_every_document_and_person_of_another_member(client, member_a, member_b):
    other, documents = member_b
    urls = [
        reverse("members:space_invoice_pdf", args=[documents["invoice"].number]),
        reverse("members:space_receipt_pdf", args=[documents["payment"].number]),
        reverse("members:space_credit_note_pdf", args=[documents["credit_note"].number]),
        reverse("members:space_person", args=[documents["colleague"].pk]),
        reverse("members:space_person", args=[other.person.pk]),
    ]
    client.force_login(member_a.user)
    for url in urls:
        assert client.get(url).status_code == 404, url
    # Nonsense answers 404 too, never a 500.
    assert client.get(reverse("members:space_person", args=[10**30])).status_code == 404
    assert client.get(reverse("members:space_invoice_pdf", args=["x" * 500])).status_code == 404
    # A number of one kind does not open another kind's URL either.
    invoice_number = documents["invoice"].number
    assert (
        client.get(reverse("members:space_receipt_pdf", args=[invoice_number])).status_code == 404
    )

    pages = "".join(
        client.get(reverse(name)).content.decode()
        for name in ("members:space", "members:space_dues", "members:space_people")
    )
    for secret in ("Centre social Les Tilleuls", "collegue.b@example.org", invoice_number):
        assert secret not in pages

    # The owner does reach them.
    client.force_login(other.user)
    for url in urls:
        assert client.get(url).status_code == 200, url


SPACE_URLS = [
    ("members:space", []),
    ("members:space_dues", []),
    ("members:space_invoice_pdf", ["2026-0001"]),
    ("members:space_credit_note_pdf", ["AV-2026-0001"]),
    ("members:space_receipt_pdf", ["R-2026-0001"]),
    ("members:space_people", []),
    ("members:space_person", [1]),
    ("members:space_invite", []),
    ("members:space_details", []),
]


@pytest.mark.parametrize(("name", "args"), SPACE_URLS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, db, name, args):
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]


# People and invitations -----------------------------------------------------------------


def test_people_page_lists_the_organisation_people(client, member_a):
    colleague = PersonFactory(organisation=member_a.organisation, last_name="Nguyen")
    PersonFactory(last_name="Ailleurs")  # another organisation
    client.force_login(member_a.user)

    response = client.get(reverse("members:space_people"))

    assert response.status_code == 200
    assert set(response.context["people"]) == {member_a.person, colleague}
    detail = client.get(reverse("members:space_person", args=[colleague.pk]))
    assert detail.status_code == 200
    assert "Nguyen" in detail.content.decode()


def _text_part(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no text part")


def test_member_contact_invites_a_colleague_who_sets_a_password_and_signs_in(
    client,
    member_a,
    smtp_server,
    django_capture_on_commit_callbacks,
    form_mail_tasks_inline,
    settings,
):
    client.force_login(member_a.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("members:space_invite"),
            {"first_name": "Karim", "last_name": "Haddad", "email": "Karim.Haddad@Example.org"},
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("members:space_people")

    person = Person.objects.get(email="karim.haddad@example.org")
    assert person.organisation == member_a.organisation
    assert not person.is_member_contact
    assert person.user is not None and not person.user.has_usable_password()
    assert EmailAddress.objects.get(user=person.user).verified
    assert AuditEntry.objects.filter(action="person.invited", object_id=str(person.pk)).exists()

    [message] = smtp_server.messages
    assert message["To"] == "karim.haddad@example.org"
    types_ = {part.get_content_type() for part in message.walk()}
    assert {"text/plain", "text/html"} <= types_
    text = _text_part(message)
    assert "Association Les Jardins Partagés" in text
    link = re.search(re.escape(settings.SITE_URL) + r"(/comptes/\S+)", text).group(1)

    visitor = Client()
    response = visitor.get(link)
    assert response.status_code == 302  # allauth moves the key into the session
    response = visitor.get(response["Location"])
    assert response.status_code == 200
    assert "form" in response.context and response.context.get("token_fail") is not True
    response = visitor.post(
        response.context["action_url"],
        {"password1": "Un-mot-de-passe-solide-42", "password2": "Un-mot-de-passe-solide-42"},
    )
    assert response.status_code == 302

    response = visitor.post(
        reverse("account_login"),
        {"login": "karim.haddad@example.org", "password": "Un-mot-de-passe-solide-42"},
    )
    assert response.status_code == 302
    space = visitor.get(reverse("members:space"))
    assert space.status_code == 200
    assert space.context["organisation"] == member_a.organisation


def test_invitation_attaches_a_person_without_organisation(
    client, member_a, django_capture_on_commit_callbacks, form_mail_tasks_inline, mailoutbox
):
    loner = PersonFactory(organisation=None, email="seule@example.org", first_name="Inès")
    client.force_login(member_a.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("members:space_invite"),
            {"first_name": "Inès", "last_name": "X", "email": "seule@example.org"},
        )
    assert response.status_code == 302
    loner.refresh_from_db()
    assert loner.organisation == member_a.organisation
    assert loner.user.email == "seule@example.org"
    assert len(mailoutbox) == 1


def test_invitation_refuses_an_email_of_another_organisation(
    client,
    member_a,
    member_b,
    django_capture_on_commit_callbacks,
    form_mail_tasks_inline,
    mailoutbox,
):
    _other, documents = member_b
    client.force_login(member_a.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("members:space_invite"),
            {"first_name": "A", "last_name": "B", "email": "COLLEGUE.B@example.org"},
        )
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    documents["colleague"].refresh_from_db()
    assert documents["colleague"].organisation == _other.organisation
    assert documents["colleague"].user is None
    assert mailoutbox == []


def test_only_the_member_contact_may_invite(client, member_a, make_user):
    user = make_user("simple@example.org")
    PersonFactory(organisation=member_a.organisation, user=user, email="simple@example.org")
    client.force_login(user)
    assert client.get(reverse("members:space_people")).status_code == 200
    assert client.get(reverse("members:space_invite")).status_code == 403
    response = client.post(
        reverse("members:space_invite"),
        {"first_name": "A", "last_name": "B", "email": "nouveau@example.org"},
    )
    assert response.status_code == 403
    assert not Person.objects.filter(email="nouveau@example.org").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"first_name": "A", "last_name": "B", "email": "pas-un-courriel"}, "email"),
        ({"first_name": "A" * 101, "last_name": "B", "email": "a@example.org"}, "first_name"),
        ({"first_name": "A", "last_name": "B", "email": f"{'a' * 250}@example.org"}, "email"),
        ({"first_name": "", "last_name": "B", "email": "a@example.org"}, "first_name"),
    ],
)
def test_invitation_bad_input_gives_form_errors(client, member_a, data, field):
    client.force_login(member_a.user)
    count = Person.objects.count()
    response = client.post(reverse("members:space_invite"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'aria-invalid="true"' in response.content.decode()
    assert Person.objects.count() == count


# My details ------------------------------------------------------------------------------


def test_member_edits_own_details_but_not_the_email(client, member_a):
    client.force_login(member_a.user)
    assert client.get(reverse("members:space_details")).status_code == 200

    response = client.post(
        reverse("members:space_details"),
        {
            "first_name": "Sophia",
            "last_name": "Durand-Leroy",
            "phone": "+33 1 34 00 00 00",
            "job_title": "Directrice",
            "email": "pirate@example.org",
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("members:space_details")
    assert [m.level for m in response.context["messages"]] == [message_levels.SUCCESS]
    person = Person.objects.get(pk=member_a.person.pk)
    assert (person.first_name, person.last_name, person.phone, person.job_title) == (
        "Sophia",
        "Durand-Leroy",
        "+33 1 34 00 00 00",
        "Directrice",
    )
    assert person.email == "membre@example.org"
    member_a.user.refresh_from_db()
    assert member_a.user.get_full_name() == "Sophia Durand-Leroy"
    entry = AuditEntry.objects.get(action="person.updated", object_id=str(person.pk))
    assert entry.changes["first_name"] == ["Sophie", "Sophia"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"first_name": "", "last_name": "Durand"}, "first_name"),
        ({"first_name": "S" * 101, "last_name": "Durand"}, "first_name"),
        ({"first_name": "S", "last_name": "Durand", "phone": "appelez-moi"}, "phone"),
        ({"first_name": "S", "last_name": "Durand", "job_title": "J" * 151}, "job_title"),
    ],
)
def test_details_bad_input_gives_form_errors(client, member_a, data, field):
    client.force_login(member_a.user)
    response = client.post(reverse("members:space_details"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Person.objects.get(pk=member_a.person.pk).first_name == "Sophie"


# Query counts ---------------------------------------------------------------------------


def _member_with_history(member: Member, staff_user, count: int) -> None:
    """`count` invoices over `count` years, each partly paid, plus one credit note."""
    year = member.membership.year
    for offset in range(count):
        membership = (
            member.membership
            if offset == 0
            else MembershipFactory(organisation=member.organisation, year=year - offset)
        )
        invoice = invoice_issue(
            membership=membership,
            issued_by=staff_user,
            issued_on=timezone.localdate() - timedelta(days=offset),
        )
        payment_record(
            invoice=invoice,
            amount=Decimal("10.00"),
            method=PaymentMethod.TRANSFER,
            paid_on=timezone.localdate(),
            recorded_by=staff_user,
        )
    extra = MembershipFactory(organisation=member.organisation, year=year - count)
    credit_note_issue(
        invoice=invoice_issue(membership=extra, issued_by=staff_user),
        reason="Test",
        issued_by=staff_user,
    )


# session-less user + person + this year's memberships + invoices (+ site settings cached)
HOME_QUERIES = 4
# user + person + memberships + invoices + credit notes + payments
DUES_QUERIES = 6


@pytest.mark.parametrize("count", [2, 20])
def test_space_pages_run_a_fixed_number_of_queries(
    client, member_a, staff_user, django_assert_num_queries, count
):
    _member_with_history(member_a, staff_user, count)
    client.force_login(member_a.user)
    client.get(reverse("members:space"))  # warm the site settings cache

    with django_assert_num_queries(HOME_QUERIES):
        response = client.get(reverse("members:space"))
    assert len(response.context["invoices"]) == count + 1

    with django_assert_num_queries(DUES_QUERIES):
        response = client.get(reverse("members:space_dues"))
    assert len(response.context["payments"]) == count
    assert len(response.context["credit_notes"]) == 1
