"""« My data » in the member space: a member downloads their own data, never another's."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from pypdf import PdfReader

from portal.privacy import urls as urls_space
from tests.privacy.factories import person_with_traces

pytestmark = pytest.mark.django_db

EMAIL = "theodorine.quillardeau@exemple-rgpd.fr"
OTHER_EMAIL = "paulin.verdiguier@exemple-rgpd.fr"
PAGE = reverse("privacy_space:data")
JSON = reverse("privacy_space:data_json")
PDF = reverse("privacy_space:data_pdf")


@pytest.fixture
def member(make_user):
    user = make_user(EMAIL, first_name="Théodorine", last_name="Quillardeau")
    mine = person_with_traces(
        first_name="Théodorine",
        last_name="Quillardeau",
        email=EMAIL,
        phone="06 71 82 93 04",
        user=user,
    )
    other_user = make_user(OTHER_EMAIL)
    other = person_with_traces(
        first_name="Paulin",
        last_name="Verdiguier",
        email=OTHER_EMAIL,
        phone="07 11 22 33 44",
        user=other_user,
        sessions=mine.sessions,
    )
    return user, other.person


def test_the_urls_take_no_id_nor_address():
    assert [pattern.pattern.converters for pattern in urls_space.urlpatterns] == [{}, {}, {}]
    assert PAGE == "/espace/mes-donnees/"


def test_a_member_sees_their_page_and_downloads_their_json(client, member):
    user, _other = member
    client.force_login(user)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0")
    content = page.content.decode()
    assert JSON in content and PDF in content
    assert EMAIL in content

    response = client.get(JSON)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert EMAIL not in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["email"] == EMAIL
    text = response.content.decode()
    assert EMAIL in text
    assert {section["app"] for section in data["sections"]} >= {"members", "events", "newsletter"}
    assert OTHER_EMAIL not in text and "Verdiguier" not in text


def test_a_member_downloads_their_pdf(client, member):
    user, _other = member
    client.force_login(user)
    response = client.get(PDF)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert EMAIL in text
    assert "Verdiguier" not in text


def test_no_parameter_reaches_another_persons_data(client, member):
    user, other = member
    client.force_login(user)
    for query in (
        {"email": OTHER_EMAIL},
        {"person": other.pk},
        {"id": other.pk},
        {"pk": other.pk},
    ):
        response = client.get(JSON, query)
        assert json.loads(response.content)["email"] == EMAIL
        assert OTHER_EMAIL not in response.content.decode()
    assert client.post(JSON, {"email": OTHER_EMAIL}).status_code == 405
    assert client.get(f"{PAGE}{other.pk}/").status_code == 404


def test_anonymous_visitors_go_to_the_login_page(client):
    for url in (PAGE, JSON, PDF):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/comptes/login/")


def test_an_account_without_a_record_has_nothing_to_download(client, staff_user):
    client.force_login(staff_user)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "members/space_unlinked.html" in [t.name for t in page.templates]
    assert client.get(JSON).status_code == 404
    assert client.get(PDF).status_code == 404


def test_the_staff_export_is_refused_to_members(client, member):
    user, _other = member
    client.force_login(user)
    for name in ("privacy_subjectlookup_changelist", "privacy_subjectlookup_json"):
        response = client.post(reverse(f"admin:{name}"), {"email": OTHER_EMAIL})
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    assert client.get(reverse("admin:privacy_erasurerequest_changelist")).status_code == 302
