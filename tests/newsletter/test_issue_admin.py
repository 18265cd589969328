"""Composing an issue in the back office: the change page, preview, test send."""

from __future__ import annotations

import html
from email.header import decode_header, make_header

import pytest
from django.urls import reverse

from newsletter import rendering
from newsletter.models import Block, IssueStatus
from portal.core.models import AuditEntry
from tests.newsletter.factories import IssueFactory, issue_with_content

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://portail.example.org"


def test_the_change_page_links_preview_text_and_test_send(client, staff_user):
    issue = issue_with_content(number=42, status=IssueStatus.DRAFT)
    client.force_login(staff_user)

    response = client.get(reverse("admin:newsletter_issue_change", args=[issue.pk]))

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert reverse("admin:newsletter_issue_preview", args=[issue.pk]) in page
    assert reverse("admin:newsletter_issue_preview_text", args=[issue.pk]) in page
    assert reverse("admin:newsletter_issue_proof", args=[issue.pk]) in page
    assert "Aperçu" in page and "Envoi de test" in page
    assert 'id="sending-panel"' in page
    assert "Séances publiques des deux prochains mois" in page  # the suggestions
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_the_add_page_proposes_the_next_number(client, staff_user):
    IssueFactory(number=41)
    client.force_login(staff_user)

    response = client.get(reverse("admin:newsletter_issue_add"))

    assert response.status_code == 200
    assert response.context["adminform"].form.initial["number"] == 42


def test_staff_compose_an_issue_with_its_blocks(client, staff_user):
    issue = IssueFactory(number=42, status=IssueStatus.DRAFT, title="Ancien titre")
    client.force_login(staff_user)
    data = {
        "number": 42, "month": "01/12/2026", "title": "Jeunesse", "editorial": "Édito",
        "blocks-TOTAL_FORMS": 2, "blocks-INITIAL_FORMS": 0,
        "blocks-MIN_NUM_FORMS": 0, "blocks-MAX_NUM_FORMS": 1000,
        "blocks-0-page": "news", "blocks-0-scope": "national", "blocks-0-title": "Actu",
        "blocks-0-body": "Texte", "blocks-0-position": 0,
        "blocks-1-page": "activity", "blocks-1-scope": "", "blocks-1-title": "Rendez-vous",
        "blocks-1-body": "Texte", "blocks-1-position": 1,
    }  # fmt: skip

    response = client.post(reverse("admin:newsletter_issue_change", args=[issue.pk]), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    issue.refresh_from_db()
    assert issue.title == "Jeunesse"
    assert set(Block.objects.values_list("title", "scope")) == {
        ("Actu", "national"), ("Rendez-vous", ""),
    }  # fmt: skip


def test_a_sent_issue_can_no_longer_be_edited(client, staff_user):
    issue = issue_with_content(number=42, status=IssueStatus.SENT, title="Envoyé")
    client.force_login(staff_user)
    url = reverse("admin:newsletter_issue_change", args=[issue.pk])

    response = client.get(url)
    client.post(url, {"number": 99, "month": "01/12/2026", "title": "Modifié"})

    assert {"title", "sessions", "initiative"} <= set(response.context["adminform"].readonly_fields)
    issue.refresh_from_db()
    assert (issue.number, issue.title) == (42, "Envoyé")


def test_the_preview_is_the_email_with_its_inline_styles_allowed(client, staff_user):
    issue = issue_with_content(number=42, title="Santé mentale")
    client.force_login(staff_user)

    response = client.get(reverse("admin:newsletter_issue_preview", args=[issue.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert '<table role="presentation"' in page and 'style="' in page
    assert rendering.UNSUBSCRIBE_URL not in page
    assert rendering.PREFERENCES_URL not in page
    policy = response["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "img-src 'self' data: " in policy  # and the site's address, for its images
    assert "script-src 'self'" in policy


def test_the_text_preview(client, staff_user):
    issue = issue_with_content(number=42)
    client.force_login(staff_user)

    response = client.get(reverse("admin:newsletter_issue_preview_text", args=[issue.pk]))

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert issue.initiative.title in text
    assert "Se désabonner : [lien propre à chaque abonné·e]" in text


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_the_preview_is_for_staff_only(client, member_user, who):
    issue = IssueFactory()
    if who == "member":
        client.force_login(member_user)

    response = client.get(reverse("admin:newsletter_issue_preview", args=[issue.pk]))

    assert response.status_code in (302, 403)
    assert "<table" not in response.content.decode()


def test_a_test_send_is_the_real_message_to_each_address(client, staff_user, smtp_server):
    issue = issue_with_content(number=42, title="Santé mentale")
    client.force_login(staff_user)

    response = client.post(
        reverse("admin:newsletter_issue_proof", args=[issue.pk]),
        {"addresses": "claire@example.org,\nkarim@example.org"},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == ["Envoi de test à 2 adresses."]
    assert sorted(env.rcpt_tos[0] for env in smtp_server.envelopes) == [
        "claire@example.org", "karim@example.org",
    ]  # fmt: skip
    message = smtp_server.messages[0]
    subject = str(make_header(decode_header(message["Subject"])))
    assert subject == "[TEST] Résonances n° 42 — Santé mentale"
    landing = "https://portail.example.org" + reverse("newsletter:subscribe")
    assert message["List-Unsubscribe"] == f"<{landing}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    parts = {part.get_content_type(): part for part in message.walk()}
    assert {"text/plain", "text/html"} <= set(parts)
    body = parts["text/html"].get_payload(decode=True).decode()
    assert landing in body and rendering.UNSUBSCRIBE_URL not in body
    entry = AuditEntry.objects.get(action="newsletter.test_send")
    assert entry.actor == staff_user
    assert entry.changes == {"to": ["claire@example.org", "karim@example.org"]}


def test_an_invalid_address_sends_nothing(client, staff_user, smtp_server):
    issue = IssueFactory()
    client.force_login(staff_user)

    response = client.post(
        reverse("admin:newsletter_issue_proof", args=[issue.pk]),
        {"addresses": "claire@example.org pas-une-adresse"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["addresses"] == [
        "Cette adresse n'est pas valide : pas-une-adresse. Rien n'a été envoyé."
    ]
    assert smtp_server.envelopes == []
    assert not AuditEntry.objects.filter(action="newsletter.test_send").exists()


def test_a_test_send_is_limited_to_ten_addresses(client, staff_user, smtp_server):
    issue = IssueFactory()
    client.force_login(staff_user)
    addresses = "\n".join(f"personne{n}@example.org" for n in range(11))

    response = client.post(
        reverse("admin:newsletter_issue_proof", args=[issue.pk]), {"addresses": addresses}
    )

    assert response.context["form"].errors["addresses"] == [
        "10 adresses au plus, s'il vous plaît (11 saisies)."
    ]
    assert smtp_server.envelopes == []


def test_the_list_of_issues(client, staff_user):
    IssueFactory(number=41, title="Contrats de ville", status=IssueStatus.SENT)
    IssueFactory(number=42, title="Santé mentale")
    client.force_login(staff_user)

    response = client.get(reverse("admin:newsletter_issue_changelist"), {"q": "42"})

    assert response.status_code == 200
    assert [issue.number for issue in response.context["cl"].result_list] == [42]
