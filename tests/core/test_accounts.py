import re

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


def sign_in(client, *, password: str, ip: str, email: str = "membre@example.org"):
    return client.post("/comptes/login/", {"login": email, "password": password}, REMOTE_ADDR=ip)


def test_failed_logins_from_one_device_do_not_lock_the_owner_out(client, member_user):
    for _ in range(5):
        assert sign_in(client, password="wrong-password", ip="203.0.113.66").status_code == 200
    # The guesser's sixth try is refused, even with the right password, in French with a
    # way in by emailed code.
    content = sign_in(client, password="correct-horse-battery", ip="203.0.113.66").content
    assert "Trop de tentatives depuis cet appareil" in content.decode()
    assert 'href="/comptes/login/code/"' in content.decode()
    assert client.get("/espace/").status_code == 302
    # The owner, elsewhere, signs in.
    response = sign_in(client, password="correct-horse-battery", ip="198.51.100.7")
    assert response.status_code == 302
    assert client.get("/espace/").status_code == 200


def test_a_right_password_does_not_count_as_a_failure(client, member_user):
    for _ in range(4):
        sign_in(client, password="wrong-password", ip="203.0.113.66")
    assert sign_in(client, password="correct-horse-battery", ip="203.0.113.66").status_code == 302
    client.logout()
    assert sign_in(client, password="correct-horse-battery", ip="203.0.113.66").status_code == 302


def test_failures_from_many_devices_pause_password_sign_in_but_not_the_emailed_code(
    client, member_user, smtp_server, mail_flush
):
    for device in range(10):
        for _ in range(5):
            sign_in(client, password="wrong-password", ip=f"203.0.113.{device}")
    response = sign_in(client, password="correct-horse-battery", ip="198.51.100.7")
    content = response.content.decode()
    assert "Trop de tentatives échouées pour cette adresse" in content
    assert 'href="/comptes/login/code/"' in content
    assert client.get("/espace/").status_code == 302

    response = client.post(
        "/comptes/login/code/", {"email": "membre@example.org"}, REMOTE_ADDR="198.51.100.7"
    )
    assert response.status_code == 302
    mail_flush()
    (text,) = (
        part.get_payload(decode=True).decode()
        for part in smtp_server.messages[0].walk()
        if part.get_content_type() == "text/plain"
    )
    code = re.search(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}\b", text).group()
    response = client.post(
        "/comptes/login/code/confirm/", {"code": code}, REMOTE_ADDR="198.51.100.7"
    )
    assert response.status_code == 302
    assert client.get("/espace/").status_code == 200


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


def test_too_many_sign_in_requests_get_a_french_page(client, db):
    for _ in range(30):
        sign_in(client, password="wrong-password", ip="203.0.113.66", email="x@example.org")
    response = sign_in(client, password="wrong-password", ip="203.0.113.66")
    assert response.status_code == 429
    assert "Trop de demandes" in response.content.decode()


def test_behind_a_proxy_failures_count_per_visitor_not_per_proxy(client, member_user, settings):
    settings.TRUSTED_PROXIES = 1
    for _ in range(5):
        client.post(
            "/comptes/login/",
            {"login": "membre@example.org", "password": "wrong-password"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.66",
        )
    response = client.post(
        "/comptes/login/",
        {"login": "membre@example.org", "password": "correct-horse-battery"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert response.status_code == 302
