"""The public members page (/adherents/): members by category, how to join, request to join."""

from __future__ import annotations

from decimal import Decimal
from email.header import decode_header, make_header

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from members.emails import (
    membership_request_acknowledgement_send,
    membership_request_notification_send,
)
from members.models import (
    DuesMode,
    Membership,
    MembershipCategory,
    MembershipRequest,
    MembershipRequestStatus,
    Organisation,
    OrganisationKind,
    Person,
)
from members.services.requests import membership_request_accept, membership_request_reject
from portal.core.models import AuditEntry, OutgoingMail, SiteSettings
from portal.core.tasks import mail_deliver_task
from tests.members.factories import (
    CityFactory,
    DuesRuleFactory,
    IndividualMembershipFactory,
    MembershipFactory,
    MembershipRequestFactory,
    OrganisationFactory,
    PerInhabitantRuleFactory,
    PersonFactory,
)

URL = "/adherents/"


def this_year() -> int:
    return timezone.localdate().year


def valid_request(**overrides) -> dict:
    data = {
        "organisation_name": "Régie de quartier du Val",
        "kind": OrganisationKind.ASSOCIATION,
        "first_name": "Nadia",
        "last_name": "Benali",
        "email": "Nadia.Benali@Regie.example.org",
        "phone": "01 34 00 00 00",
        "job_title": "Directrice",
        "town": "Garges-lès-Gonesse",
        "message": "Nous souhaitons adhérer.",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


# The list of members ---------------------------------------------------------------------


def test_public_page_groups_this_years_members_and_never_names_individuals(client, db):
    year = this_year()
    MembershipFactory(
        organisation=CityFactory(name="Ville de Sarcelles"), category=MembershipCategory.CITY
    )
    MembershipFactory(
        organisation=OrganisationFactory(name="Roissy Pays de France", kind=OrganisationKind.EPCI),
        category=MembershipCategory.EPCI,
    )
    MembershipFactory(organisation=OrganisationFactory(name="Zébulon Solidarité"))
    MembershipFactory(organisation=OrganisationFactory(name="Élan des quartiers"))
    MembershipFactory(organisation=OrganisationFactory(name="Amis du Parc"))
    MembershipFactory(
        organisation=OrganisationFactory(
            name="Habitat Social Nord", kind=OrganisationKind.SOCIAL_LANDLORD
        ),
        category=MembershipCategory.OTHER,
    )
    IndividualMembershipFactory(person__first_name="Zoé", person__last_name="Confidentielle")
    IndividualMembershipFactory(person__first_name="Marc", person__last_name="Discret")
    MembershipFactory(
        organisation=OrganisationFactory(name="Association Partie"), cancelled_at=timezone.now()
    )
    MembershipFactory(organisation=OrganisationFactory(name="Ancien Adhérent"), year=year - 1)

    response = client.get(URL)

    assert response.status_code == 200
    members = response.context["members"]
    assert members.year == year
    assert members.associations == ["Amis du Parc", "Élan des quartiers", "Zébulon Solidarité"]
    assert members.individuals == 2
    assert members.cities == ["Ville de Sarcelles"]
    assert members.epcis == ["Roissy Pays de France"]
    assert members.others == ["Habitat Social Nord"]
    content = response.content.decode()
    for name in ("Ville de Sarcelles", "Roissy Pays de France", "Élan des quartiers"):
        assert name in content
    for hidden in ("Zoé", "Confidentielle", "Discret", "Association Partie", "Ancien Adhérent"):
        assert hidden not in content
    # The groups come in the order of the annual report.
    positions = [content.index(f'id="group-{g}"') for g in ("associations", "individuals")]
    positions += [content.index(f'id="group-{g}"') for g in ("collectivities", "others")]
    assert positions == sorted(positions)


def test_public_page_without_members_or_rules(client, db):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["members"].total == 0
    assert response.context["dues"] == []


def test_public_page_shows_this_years_dues(client, db):
    year = this_year()
    PerInhabitantRuleFactory(year=year, rate=Decimal("0.0400"))
    DuesRuleFactory(year=year, category=MembershipCategory.ASSOCIATION)
    DuesRuleFactory(
        year=year,
        category=MembershipCategory.INDIVIDUAL,
        mode=DuesMode.FLAT,
        flat_amount=Decimal("30"),
    )
    DuesRuleFactory(year=year - 1, category=MembershipCategory.EPCI, flat_amount=Decimal("999"))

    response = client.get(URL)

    content = response.content.decode()
    assert "0,04\u00a0€" in content
    assert "150,00\u00a0€" in content
    assert "30,00\u00a0€" in content
    assert "999" not in content
    assert [rule["category"] for rule in response.context["dues"]] == [
        MembershipCategory.CITY.label,
        MembershipCategory.ASSOCIATION.label,
        MembershipCategory.INDIVIDUAL.label,
    ]


def test_per_inhabitant_rate_keeps_its_significant_decimals(client, db):
    PerInhabitantRuleFactory(year=this_year(), rate=Decimal("0.0425"))
    assert "0,0425\u00a0€" in client.get(URL).content.decode()


def test_form_is_labelled_and_the_honeypot_hidden_by_a_class(client, db):
    content = client.get(URL).content.decode()
    for name in ("organisation_name", "kind", "first_name", "email", "consent", "website"):
        assert f'for="id_{name}"' in content
    assert '<div class="hp-field">' in content
    assert "style=" not in content and "<script" not in content


# The request to join ---------------------------------------------------------------------


def test_request_form_records_the_request_acknowledges_it_and_notifies_the_centre(
    client, db, smtp_server, form_mail_tasks_inline, django_capture_on_commit_callbacks
):
    site = SiteSettings.load()
    site.name = "Centre de ressources Ville & Quartiers"
    site.email = "contact@centre.example.org"
    site.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, valid_request(), follow=True)

    # The very next page says what happened and what comes next.
    assert response.redirect_chain == [("/adherents/demande-envoyee/", 302)]
    page = response.content.decode()
    assert "adhésion est envoyée" in page
    assert "nadia.benali@regie.example.org" in page
    assert "Et maintenant" in page
    request = MembershipRequest.objects.get()
    assert request.status == MembershipRequestStatus.PENDING
    assert request.email == "nadia.benali@regie.example.org"
    assert request.organisation_name == "Régie de quartier du Val"
    assert abs((timezone.now() - request.consent_at).total_seconds()) < 60
    assert AuditEntry.objects.filter(action="membership_request.received").count() == 1
    assert len(smtp_server.messages) == 2
    by_recipient = {message["To"]: message for message in smtp_server.messages}
    acknowledgement = by_recipient["nadia.benali@regie.example.org"]
    notification = by_recipient["contact@centre.example.org"]
    assert acknowledgement["To"] == "nadia.benali@regie.example.org"
    assert acknowledgement["Reply-To"] == "contact@centre.example.org"
    subject = str(make_header(decode_header(acknowledgement["Subject"])))
    assert subject == (
        "Centre de ressources Ville & Quartiers : votre demande d\u2019adhésion est bien reçue"
    )
    assert notification["To"] == "contact@centre.example.org"
    assert notification["Reply-To"] == "nadia.benali@regie.example.org"
    for message in (acknowledgement, notification):
        kinds = {part.get_content_type() for part in message.walk()}
        assert {"text/plain", "text/html"} <= kinds


def test_the_acknowledgement_says_what_comes_next_in_french(db, mailoutbox, mail_flush):
    request = MembershipRequestFactory(
        organisation_name="Régie du Val", first_name="Nadia", email="nadia@val.org"
    )

    assert membership_request_acknowledgement_send(request_id=request.pk)
    mail_flush()

    [message] = mailoutbox
    assert message.to == ["nadia@val.org"]
    assert message.subject.endswith(" : votre demande d\u2019adhésion est bien reçue")
    assert "Bonjour Nadia," in message.body
    assert "Régie du Val" in message.body
    assert "Et maintenant" in message.body
    assert "http://" in message.body or "https://" in message.body
    html = message.alternatives[0][0]
    assert "Bonjour Nadia," in html and "<ol" in html


def test_a_handled_or_erased_request_gets_no_acknowledgement(db, staff_user, mailoutbox):
    request = MembershipRequestFactory()
    membership_request_reject(membership_request=request, actor=staff_user)

    assert not membership_request_acknowledgement_send(request_id=request.pk)
    assert not membership_request_acknowledgement_send(request_id=999_999)
    assert mailoutbox == []


def test_the_request_mails_are_recorded_with_it_and_queued_after_commit_only(
    client, db, django_capture_on_commit_callbacks, monkeypatch
):
    site = SiteSettings.load()
    site.email = "contact@centre.example.org"
    site.save()
    queued = []
    monkeypatch.setattr(mail_deliver_task, "delay", queued.append)

    with django_capture_on_commit_callbacks() as callbacks:
        client.post(URL, valid_request())
    recorded = dict(OutgoingMail.objects.values_list("to", "pk"))  # in the request's transaction
    assert set(recorded) == {MembershipRequest.objects.get().email, "contact@centre.example.org"}
    assert queued == []  # nothing leaves before the request is committed
    for callback in callbacks:
        callback()
    assert sorted(queued) == sorted(recorded.values())


def test_individual_request_needs_no_organisation(client, db, mailoutbox):
    response = client.post(URL, valid_request(organisation_name="", kind=""))
    assert response.status_code == 302
    request = MembershipRequest.objects.get()
    assert (request.organisation_name, request.kind) == ("", "")
    assert not membership_request_notification_send(request_id=request.pk)
    assert mailoutbox == []  # no centre address set: nobody to notify


def test_the_page_after_a_request_is_never_the_cached_members_page(client, db, settings):
    """The members page may come from the page cache; the page after sending is the
    requester's own, with its confirmation (issue: people sent their request twice)."""
    settings.PAGE_CACHE_SECONDS = 300
    SiteSettings.load()
    client.get(URL)
    assert client.get(URL)["X-Page-Cache"] == "hit"

    response = client.post(URL, valid_request(), follow=True)

    assert "X-Page-Cache" not in response
    assert "nadia.benali@regie.example.org" in response.content.decode()


def test_request_without_consent_is_refused(client, db):
    response = client.post(URL, valid_request(consent=""))
    assert response.status_code == 200
    assert "consent" in response.context["form"].errors
    assert not MembershipRequest.objects.exists()


def test_honeypot_hit_records_nothing_but_answers_politely(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, valid_request(website="http://spam.example"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [("/adherents/demande-envoyee/", 302)]
    assert response.context["membership_request"] is None
    assert not MembershipRequest.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "pas-un-courriel"}, "email"),
        ({"email": ""}, "email"),
        ({"first_name": "N" * 101}, "first_name"),
        ({"last_name": ""}, "last_name"),
        ({"organisation_name": "O" * 201}, "organisation_name"),
        ({"job_title": "J" * 151}, "job_title"),
        ({"town": "T" * 101}, "town"),
        ({"phone": "0" * 31}, "phone"),
        ({"phone": "<script>"}, "phone"),
        ({"message": "M" * 3001}, "message"),
        ({"kind": "castle"}, "kind"),
        ({"kind": ""}, "kind"),  # an organisation needs its kind
        ({"organisation_name": ""}, "organisation_name"),  # a kind needs a name
    ],
)
def test_bad_input_gives_form_errors_never_a_500(client, db, overrides, field):
    response = client.post(URL, valid_request(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    content = response.content.decode()
    assert f'aria-describedby="id_{field}' in content or f'id="id_{field}_error"' in content
    assert not MembershipRequest.objects.exists()


# Accepting and rejecting (called by the back office) --------------------------------------


def test_accept_creates_the_organisation_its_contact_and_the_membership(db, staff_user):
    DuesRuleFactory(year=this_year(), category=MembershipCategory.ASSOCIATION)
    request = MembershipRequestFactory(organisation_name="Régie du Val", email="nadia@val.org")

    membership = membership_request_accept(membership_request=request, actor=staff_user)

    organisation = Organisation.objects.get(name="Régie du Val")
    assert organisation.kind == OrganisationKind.ASSOCIATION
    assert organisation.city == "Sarcelles"
    contact = Person.objects.get(email="nadia@val.org")
    assert contact.organisation == organisation
    assert contact.is_member_contact
    assert contact.consent_processing_at == request.consent_at
    assert membership.organisation == organisation
    assert membership.year == this_year()
    assert membership.amount == Decimal("150.00")
    request.refresh_from_db()
    assert request.status == MembershipRequestStatus.ACCEPTED
    assert request.handled_by == staff_user
    assert request.handled_at is not None
    assert request.membership == membership
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"organisation.created", "person.created", "membership.created"} <= actions
    assert "membership_request.accepted" in actions


def test_accepting_invites_the_new_contact_to_the_member_space(
    db, staff_user, mailoutbox, django_capture_on_commit_callbacks, form_mail_tasks_inline
):
    DuesRuleFactory(year=this_year(), category=MembershipCategory.ASSOCIATION)
    request = MembershipRequestFactory(organisation_name="Régie du Val", email="nadia@val.org")
    with django_capture_on_commit_callbacks(execute=True):
        membership_request_accept(membership_request=request, actor=staff_user)
    contact = Person.objects.get(email="nadia@val.org")
    assert contact.user is not None
    assert not contact.user.has_usable_password()
    assert [message.to for message in mailoutbox] == [["nadia@val.org"]]
    assert "/comptes/password/reset/key/" in mailoutbox[0].body


def test_accept_reuses_the_organisation_and_the_person(db, staff_user):
    DuesRuleFactory(year=2031, category=MembershipCategory.ASSOCIATION)
    organisation = OrganisationFactory(name="Régie du Val")
    person = PersonFactory(email="nadia@val.org", organisation=None, job_title="")
    request = MembershipRequestFactory(organisation_name="régie du val", email="nadia@val.org")

    membership = membership_request_accept(membership_request=request, actor=staff_user, year=2031)

    assert membership.organisation == organisation
    assert membership.year == 2031
    assert Organisation.objects.count() == 1
    person.refresh_from_db()
    assert person.organisation == organisation and person.is_member_contact
    assert person.job_title == "Présidente"


def test_accept_an_individual(db, staff_user):
    DuesRuleFactory(
        year=this_year(), category=MembershipCategory.INDIVIDUAL, flat_amount=Decimal("30.00")
    )
    request = MembershipRequestFactory(organisation_name="", kind="", email="solo@example.org")

    membership = membership_request_accept(membership_request=request, actor=staff_user)

    assert membership.organisation is None
    assert membership.person.email == "solo@example.org"
    assert membership.person.organisation is None
    assert membership.category == MembershipCategory.INDIVIDUAL
    assert membership.amount == Decimal("30.00")


def test_accept_without_a_dues_rule_changes_nothing(db, staff_user):
    request = MembershipRequestFactory(organisation_name="Sans Règle")
    with pytest.raises(ValidationError):
        membership_request_accept(membership_request=request, actor=staff_user)
    request.refresh_from_db()
    assert request.status == MembershipRequestStatus.PENDING
    assert not Organisation.objects.filter(name="Sans Règle").exists()
    assert not Membership.objects.exists()


def test_reject_then_no_second_decision(db, staff_user):
    request = MembershipRequestFactory()
    membership_request_reject(membership_request=request, actor=staff_user)
    request.refresh_from_db()
    assert request.status == MembershipRequestStatus.REJECTED
    assert request.handled_by == staff_user
    assert AuditEntry.objects.filter(action="membership_request.rejected").exists()
    with pytest.raises(ValidationError):
        membership_request_accept(membership_request=request, actor=staff_user)
    with pytest.raises(ValidationError):
        membership_request_reject(membership_request=request, actor=staff_user)
