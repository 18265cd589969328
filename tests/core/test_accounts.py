import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from portal.core.roles import DIRECTOR_GROUP, STAFF_GROUP, is_director, is_staff


def test_email_is_the_identifier_and_unique_whatever_its_case(django_user_model, db):
    user = django_user_model.objects.create_user("Claire.Martin@Example.org", "pw-123456789")
    assert user.email == "claire.martin@example.org"
    assert user.check_password("pw-123456789")
    with pytest.raises((IntegrityError, ValidationError)):
        django_user_model.objects.create_user("CLAIRE.MARTIN@example.org", "pw-123456789")


def test_role_groups_exist_after_migrations(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {STAFF_GROUP, DIRECTOR_GROUP}


def test_team_groups_may_edit_the_site_settings(staff_user):
    assert staff_user.has_perm("core.change_sitesettings")
    assert not staff_user.has_perm("core.change_user")


def test_roles(member_user, staff_user, director_user):
    assert not is_staff(member_user)
    assert is_staff(staff_user) and not is_director(staff_user)
    assert is_director(director_user)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        # anonymous, member, staff, director
        ("/espace/", (302, 200, 200, 200)),
        ("/direction/", (302, 403, 403, 200)),
        ("/admin/", (302, 302, 200, 200)),
    ],
)
def test_role_protected_pages(client, member_user, staff_user, director_user, path, expected):
    for user, status in zip((None, member_user, staff_user, director_user), expected, strict=True):
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(path)
        assert response.status_code == status, (path, user, response.status_code)
        if user is None:
            assert (
                "/comptes/login/" in response["Location"] or "/admin/login/" in response["Location"]
            )


def test_login_page_is_french_and_self_signup_is_closed(client, db):
    response = client.get("/comptes/login/")
    content = response.content.decode()
    assert response.status_code == 200
    assert 'lang="fr"' in content
    assert "Mot de passe" in content
    assert client.get("/comptes/signup/").status_code == 200  # says that sign-up is closed
    assert "fermées" in client.get("/comptes/signup/").content.decode()


def test_login_by_email_and_password(client, member_user):
    response = client.post(
        "/comptes/login/", {"login": "MEMBRE@example.org", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert client.get("/espace/").status_code == 200


def test_failed_logins_are_rate_limited(client, member_user, settings):
    for _ in range(5):
        response = client.post(
            "/comptes/login/", {"login": "membre@example.org", "password": "wrong-password"}
        )
        assert response.status_code == 200
    response = client.post(
        "/comptes/login/", {"login": "membre@example.org", "password": "correct-horse-battery"}
    )
    # Even the right password is refused until the window passes, with a French message.
    assert response.status_code == 200
    assert "Trop de tentatives" in response.content.decode()
    assert client.get("/espace/").status_code == 302


def test_password_reset_mail_goes_through_a_real_smtp_server(
    client, member_user, smtp_server, mail_flush
):
    response = client.post("/comptes/password/reset/", {"email": "membre@example.org"})
    assert response.status_code == 302
    mail_flush()  # the mail task
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "membre@example.org"
    body = message.get_payload(decode=True) if not message.is_multipart() else b""
    text = body.decode() if body else message.get_payload()[0].get_payload(decode=True).decode()
    assert "/comptes/password/reset/key/" in text


def test_login_by_code_is_offered(client, member_user, smtp_server, mail_flush):
    response = client.post("/comptes/login/code/", {"email": "membre@example.org"})
    assert response.status_code == 302
    mail_flush()  # the mail task
    assert len(smtp_server.messages) == 1
