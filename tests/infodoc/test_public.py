"""The public info-doc page: the request form, its spam protections, the follow link, the Q&As."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from infodoc.models import Channel, InfoRequest, RequestStatus
from infodoc.services.intake import FOLLOW_SALT, follow_token
from members.models import Person
from portal.core.models import OutgoingMail, SiteSettings, Theme
from portal.core.tasks import mail_deliver_task
from tests.infodoc.factories import InfoRequestFactory
from tests.members.factories import CommuneFactory, DepartmentFactory, EpciFactory

pytestmark = pytest.mark.django_db

INDEX = reverse("infodoc:index")
DONE = reverse("infodoc:done")
FOLLOW_LINK = re.compile(r"https?://\S+?/infodoc/suivi/[^/\s]+/")


def form_data(**overrides) -> dict:
    data = {
        "first_name": "Camille",
        "last_name": "Durand",
        "email": "camille.durand@example.org",
        "phone": "",
        "organisation_name": "Ville de Cergy",
        "requester_kind": "city",
        "department": "",
        "commune": "",
        "subject": "Diagnostic partagé en QPV",
        "question": "Auriez-vous des exemples de diagnostics partagés ?",
        "wished_by": "",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def text_part(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no plain-text part")


# The page ---------------------------------------------------------------------------


def test_the_page_describes_the_service_and_shows_the_form(client):
    response = client.get(INDEX)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="consent"' in content
    assert 'class="hp-field"' in content
    assert 'name="website"' in content
    assert "<script" not in content.split("<main", 1)[1]


def test_the_commune_select_offers_only_the_centre_communes(client):
    inside = CommuneFactory(insee_code="95127", name="Cergy", department=DepartmentFactory())
    outside = CommuneFactory(
        insee_code="75056", name="Paris", department=DepartmentFactory(code="75", name="Paris")
    )
    form = client.get(INDEX).context["form"]
    communes = list(form.fields["commune"].queryset)
    assert inside in communes
    assert outside not in communes


# Submitting -------------------------------------------------------------------------


def test_a_request_is_recorded_and_acknowledged_with_its_reference(
    client, smtp_server, form_mail_tasks_inline, django_capture_on_commit_callbacks
):
    epci = EpciFactory(name="CA de Cergy-Pontoise")
    commune = CommuneFactory(insee_code="95127", name="Cergy", epci=epci)
    theme = Theme.objects.first()
    deadline = timezone.localdate() + timedelta(days=20)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            INDEX,
            form_data(
                commune=commune.insee_code,
                themes=[theme.pk],
                wished_by=deadline.isoformat(),
                phone="01 23 45 67 89",
            ),
        )
    assert response.status_code == 302
    assert response["Location"] == DONE
    request = InfoRequest.objects.get()
    year = timezone.localdate().year
    assert request.reference == f"ID-{year}-0001"
    assert request.status == RequestStatus.NEW
    assert request.channel == Channel.WEB
    assert request.consent_at is not None
    assert request.commune == commune
    assert request.epci == epci
    assert request.department == commune.department
    assert request.wished_by == deadline
    assert list(request.themes.all()) == [theme]
    assert request.person.email == "camille.durand@example.org"
    assert request.person.phone == "01 23 45 67 89"

    done = client.get(DONE)
    assert done.status_code == 200
    assert request.reference in done.content.decode()

    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "camille.durand@example.org"
    assert request.reference in message["Subject"]
    body = text_part(message)
    assert request.reference in body
    link = FOLLOW_LINK.search(body).group(0)
    assert link.startswith(settings.SITE_URL)
    follow = client.get(link.removeprefix(settings.SITE_URL))
    assert follow.status_code == 200
    assert request.reference in follow.content.decode()
    assert follow.context["info_request"] == request


def test_a_department_without_commune_is_kept(client):
    department = DepartmentFactory(code="78", name="Yvelines")
    assert client.post(INDEX, form_data(department="78")).status_code == 302
    request = InfoRequest.objects.get()
    assert request.department == department
    assert request.commune is None


def test_a_commune_outside_the_chosen_department_is_refused(client):
    commune = CommuneFactory(insee_code="95127", name="Cergy")
    DepartmentFactory(code="78", name="Yvelines")
    response = client.post(INDEX, form_data(commune=commune.insee_code, department="78"))
    assert response.status_code == 200
    assert "commune" in response.context["form"].errors
    assert not InfoRequest.objects.exists()


def test_an_existing_person_is_reused_and_a_signed_in_member_linked(client, member_user):
    client.force_login(member_user)
    client.post(INDEX, form_data(email="MEMBRE@example.org"))
    client.post(INDEX, form_data(email="membre@example.org", subject="Second"))
    person = Person.objects.get(email="membre@example.org")
    assert person.user == member_user
    assert person.info_requests.count() == 2


def test_consent_is_required(client):
    response = client.post(INDEX, form_data(consent=""))
    assert response.status_code == 200
    assert "consent" in response.context["form"].errors
    assert not InfoRequest.objects.exists()
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("email", ""),
        ("wished_by", "2020-01-01"),
        ("wished_by", "31/02/2030"),
        ("wished_by", "tomorrow"),
        ("phone", "call me"),
        ("requester_kind", "king"),
        ("department", "ZZ"),
        ("commune", "99999"),
        ("themes", "abc"),
        ("subject", ""),
        ("question", "x" * 5001),
    ],
)
def test_invalid_values_are_refused_with_a_field_error(client, field, value):
    response = client.post(INDEX, form_data(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not InfoRequest.objects.exists()


def test_a_past_deadline_is_refused_but_today_is_accepted(client):
    today = timezone.localdate()
    past = client.post(INDEX, form_data(wished_by=(today - timedelta(days=1)).isoformat()))
    assert "wished_by" in past.context["form"].errors
    assert client.post(INDEX, form_data(wished_by=today.isoformat())).status_code == 302


# Spam protections ---------------------------------------------------------------------


def test_the_acknowledgement_is_recorded_with_the_request_and_queued_after_commit_only(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(mail_deliver_task, "delay", queued.append)
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(INDEX, form_data())
    [recorded] = OutgoingMail.objects.all()  # in the request's transaction
    assert recorded.to == InfoRequest.objects.get().person.email
    assert queued == []  # nothing leaves before the request is committed
    for callback in callbacks:
        callback()
    assert queued == [recorded.pk]


def test_a_honeypot_hit_is_thanked_and_stores_nothing(
    client, smtp_server, django_capture_on_commit_callbacks
):
    SiteSettings.load()  # as on any running site: the first page would create it
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(INDEX, form_data(website="http://spam.example"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(DONE, 302)]
    assert response.context["info_request"] is None
    assert callbacks == []
    assert not InfoRequest.objects.exists()
    assert not Person.objects.exists()
    assert smtp_server.messages == []


def test_the_rate_limit_per_email_address(client):
    for number in range(3):
        assert client.post(INDEX, form_data(subject=f"S{number}")).status_code == 302
    response = client.post(INDEX, form_data(subject="Fourth"))
    assert response.status_code == 429
    form = response.context["form"]
    assert form.non_field_errors()
    assert form["subject"].value() == "Fourth"
    assert InfoRequest.objects.count() == 3
    # Another address from the same place is still welcome.
    other = client.post(INDEX, form_data(email="autre@example.org", subject="Other"))
    assert other.status_code == 302
    assert InfoRequest.objects.count() == 4


def test_the_rate_limit_per_ip_address(client):
    for number in range(10):
        response = client.post(INDEX, form_data(email=f"p{number}@example.org"))
        assert response.status_code == 302
    response = client.post(INDEX, form_data(email="eleventh@example.org"))
    assert response.status_code == 429
    assert response.context["form"].non_field_errors()
    assert InfoRequest.objects.count() == 10
    assert not Person.objects.filter(email="eleventh@example.org").exists()
    # Another IP address is not affected.
    other = client.post(INDEX, form_data(email="eleventh@example.org"), REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 302


def test_invalid_submissions_do_not_count_towards_the_limit(client):
    for _ in range(5):
        client.post(INDEX, form_data(consent=""))
    assert client.post(INDEX, form_data()).status_code == 302


def test_the_cache_keys_hold_no_address_in_clear(client):
    from django.core.cache import cache

    client.post(INDEX, form_data())
    keys = [
        key.decode() if isinstance(key, bytes) else key
        for key in cache._cache.get_client().keys("*")
    ]
    assert keys
    assert not any("camille" in key or "127.0.0.1" in key for key in keys)


# The follow link ------------------------------------------------------------------------


def test_the_follow_page_shows_the_status_and_the_answer_once_answered(client):
    request = InfoRequestFactory(status=RequestStatus.IN_PROGRESS, answer="Réponse secrète")
    url = reverse("infodoc:follow", args=[follow_token(request)])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["info_request"] == request
    assert "Réponse secrète" not in response.content.decode()
    answered = InfoRequestFactory(status=RequestStatus.ANSWERED, answer="Voici le dossier.")
    response = client.get(reverse("infodoc:follow", args=[follow_token(answered)]))
    assert "Voici le dossier." in response.content.decode()
    assert answered.reference in response.content.decode()


@pytest.mark.parametrize(
    "token",
    [
        "nope",
        "x" * 500,
        "eyJyIjoxfQ:1tAbCd:forged",
        signing.dumps({"r": 1}, salt="another.salt"),
        signing.dumps({"r": "1"}, salt=FOLLOW_SALT),
        signing.dumps([1], salt=FOLLOW_SALT),
        "%00%0a",
    ],
)
def test_a_tampered_follow_token_is_a_clear_400(client, token):
    InfoRequestFactory()
    response = client.get(f"/infodoc/suivi/{token}/")
    assert response.status_code == 400
    assert "info_request" not in response.context


def test_an_altered_signature_of_a_real_token_is_refused(client):
    request = InfoRequestFactory()
    token = follow_token(request)
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(reverse("infodoc:follow", args=[altered])).status_code == 400


def test_a_token_of_a_deleted_request_is_a_404_page(client):
    response = client.get(
        reverse("infodoc:follow", args=[signing.dumps({"r": 999999}, salt=FOLLOW_SALT)])
    )
    assert response.status_code == 404


# Published questions and answers -------------------------------------------------------


def test_published_questions_show_only_the_anonymised_texts(client):
    published = InfoRequestFactory(
        status=RequestStatus.ANSWERED,
        subject="Sujet privé",
        question="Question privée de Camille",
        person__first_name="Camille",
        person__last_name="Confidentielle",
    )
    InfoRequest.objects.filter(pk=published.pk).update(
        is_public=True,
        public_question="Comment construire un diagnostic partagé ?",
        public_answer="En associant les habitants.",
    )
    InfoRequestFactory(status=RequestStatus.ANSWERED, question="Non publiée")
    content = client.get(INDEX).content.decode()
    assert "Comment construire un diagnostic partagé ?" in content
    assert "En associant les habitants." in content
    assert "Question privée" not in content
    assert "Sujet privé" not in content
    assert "Confidentielle" not in content
    assert "Non publiée" not in content
