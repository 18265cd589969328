"""The import of past issues of Résonances (newsletter.imports.issues) and their public pages."""

from __future__ import annotations

import html
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.urls import reverse

from newsletter.models import Delivery, Issue, IssueStatus
from newsletter.selectors.figures import newsletter_figures
from portal.core.models import AuditEntry
from tests.newsletter.factories import IssueFactory, SubscriberFactory
from tests.sheets import (
    csv_bytes,
    import_confirm,
    import_through_pages,
    import_upload,
    last_job,
    ods_bytes,
    xlsx_bytes,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine("2025-06-10 10:00 +02:00", tick=False),
]

KIND = "newsletter.issues"
PARIS = ZoneInfo("Europe/Paris")
HEADER = ["N°", "Titre", "Date d'envoi", "Mois", "Destinataires", "Échecs", "Lien du PDF",
          "Texte"]  # fmt: skip
PDF = "https://www.centre.example.org/resonances/resonances-58.pdf"


def lines() -> list[list]:
    return [
        HEADER,
        ["57", "Santé mentale et quartiers", "28/11/2023", "novembre 2023", "7 412", "38", "",
         "Édito : la santé mentale en QPV.\n\nPage 2 : les actualités."],
        ["58", "Les cités éducatives", "19/12/2023", "12/2023", "7430", "", PDF, ""],
        ["59", "Vœux et agenda", "16/01/2024", "", "7 455", "0", "", ""],
    ]  # fmt: skip


def test_a_windows_csv_records_issues_sent_in_their_year_and_sends_nothing(
    staff_client, staff_user, smtp_server, django_capture_on_commit_callbacks
):
    SubscriberFactory.create_batch(3)
    data = csv_bytes(lines(), encoding="cp1252")
    with django_capture_on_commit_callbacks(execute=True):
        job = import_through_pages(staff_client, KIND, data, "numeros.csv")
    assert job.result["counts"] == {"create": 3, "update": 0, "unchanged": 0, "error": 0}
    issue = Issue.objects.get(number=57)
    assert (issue.status, issue.is_archived, issue.month, issue.title) == (
        IssueStatus.SENT, True, date(2023, 11, 1), "Santé mentale et quartiers",
    )  # fmt: skip
    assert issue.sent_at.astimezone(PARIS) == datetime(2023, 11, 28, 10, tzinfo=PARIS)
    assert (issue.recipients_count, issue.delivered_archived, issue.failed_archived) == (
        7412, 7374, 38,
    )  # fmt: skip
    assert issue.archive_text.startswith("Édito")
    assert Issue.objects.get(number=58).archive_url == PDF
    assert Issue.objects.get(number=59).month == date(2024, 1, 1)  # the month it was sent
    # Nothing was sent, no delivery row exists.
    assert smtp_server.envelopes == []
    assert not Delivery.objects.exists()
    entry = AuditEntry.objects.for_object(issue).get()
    assert (entry.action, entry.actor, entry.changes["status"]) == (
        "newsletter.issue_archived", staff_user, ["", "sent"],
    )  # fmt: skip
    # The figures count each issue in its year, and its messages.
    figures = newsletter_figures(year=2023)
    assert figures.issues_sent == 2
    assert (figures.deliveries, figures.delivered) == (7412 + 7430, 7374 + 7430)
    assert figures.delivery_rate == Decimal("99.7")
    assert newsletter_figures(year=2024).issues_sent == 1


def test_the_same_file_twice_updates_and_duplicates_are_refused(staff_client):
    rows = lines()
    import_through_pages(staff_client, KIND, xlsx_bytes(rows), "numeros.xlsx")
    again = import_through_pages(staff_client, KIND, xlsx_bytes(rows), "numeros.xlsx")
    assert again.result["counts"] == {"create": 0, "update": 0, "unchanged": 3, "error": 0}
    rows[3][1] = "Vœux 2024 et agenda"
    rows[3][6] = "www.centre.example.org/resonances-59.pdf"
    job = import_through_pages(staff_client, KIND, xlsx_bytes(rows), "numeros.xlsx")
    assert job.result["counts"] == {"create": 0, "update": 1, "unchanged": 2, "error": 0}
    issue = Issue.objects.get(number=59)
    assert issue.title == "Vœux 2024 et agenda"
    assert issue.archive_url == "https://www.centre.example.org/resonances-59.pdf"
    # An empty cell keeps what the issue has.
    rows = [["Numéro", "Titre", "Envoyé le"], [57, "Santé mentale et quartiers", "28/11/2023"],
            [57, "Doublon", "28/11/2023"]]  # fmt: skip
    import_upload(staff_client, KIND, xlsx_bytes(rows))
    assert "ligne 2" in dict(last_job().result["errors"])[3]
    import_through_pages(staff_client, KIND, xlsx_bytes(rows[:2]))
    assert Issue.objects.get(number=57).recipients_count == 7412
    assert Issue.objects.count() == 3


def test_an_ods_with_date_cells_and_loose_months(staff_client):
    rows = [
        ["numero", "TITRE", "envoyée le", "Mois du numéro", "Nombre de destinataires"],
        [40, "Rentrée", date(2022, 9, 5), "Sept. 2022", 6900],
        [41, "Octobre", date(2022, 10, 3), date(2022, 10, 15), 6950],
        [42, "Automne", date(2022, 10, 31), "2022-11", None],
    ]
    job = import_through_pages(staff_client, KIND, ods_bytes(rows), "numeros.ods")
    assert job.result["counts"]["create"] == 3
    months = dict(Issue.objects.values_list("number", "month"))
    assert months == {40: date(2022, 9, 1), 41: date(2022, 10, 1), 42: date(2022, 11, 1)}
    assert Issue.objects.get(number=42).recipients_count == 0
    assert newsletter_figures(year=2022).issues_sent == 3


def test_errors_name_the_line_and_nothing_is_written(staff_client):
    IssueFactory(number=60, status=IssueStatus.READY)
    IssueFactory(number=61, status=IssueStatus.SENT)
    rows = [
        HEADER,
        ["56", "Bon", "20/10/2023", "", "", "", "", ""],
        ["60", "Prêt", "20/10/2023", "", "", "", "", ""],
        ["61", "Déjà envoyé", "20/10/2023", "", "", "", "", ""],
        ["62", "Futur", "01/07/2025", "", "", "", "", ""],
        ["63", "Échecs", "20/10/2023", "", "100", "200", "", ""],
        ["64", "Lien", "20/10/2023", "", "", "", "pas un lien", ""],
        ["65", "Mois", "20/10/2023", "Brumaire 2023", "", "", "", ""],
        ["", "Sans numéro", "20/10/2023", "", "", "", "", ""],
    ]  # fmt: skip
    response = import_upload(staff_client, KIND, csv_bytes(rows))
    errors = dict(last_job().result["errors"])
    assert set(errors) == set(range(3, 10))
    assert "composé dans le portail" in errors[3] and "Prêt" in errors[3]
    assert "composé dans le portail" in errors[4]
    assert "futur" in errors[5]
    assert "Échecs" in errors[6] and "Destinataires" in errors[6]
    assert "pas un lien" in errors[7]
    assert "Brumaire 2023" in errors[8]
    assert "Numéro" in errors[9]
    assert "None" not in response.content.decode()
    import_confirm(staff_client, last_job())
    assert Issue.objects.count() == 2


def test_the_public_archive_shows_an_archived_issue(client, staff_client):
    import_through_pages(staff_client, KIND, csv_bytes(lines()), "numeros.csv")
    IssueFactory(number=56, status=IssueStatus.SENT, title="Composé")  # a portal issue
    client.logout()
    page = html.unescape(client.get(reverse("newsletter:archive")).content.decode())
    assert "Santé mentale et quartiers" in page and "novembre 2023" in page
    assert f'href="{PDF}"' in page  # the archived issue's own PDF
    assert 'href="/resonances/56/resonances-56.pdf"' in page  # a composed one's
    assert "/resonances/57/resonances-57.pdf" not in page  # no PDF known for 57

    response = client.get(reverse("newsletter:issue", args=[57]))
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "<h1" in page and "Santé mentale et quartiers" in page
    assert "Envoyé le 28 novembre 2023" in page
    assert "<p>Page 2 : les actualités.</p>" in page
    assert 'id="page-1"' not in page and "Télécharger le PDF" not in page

    page = html.unescape(client.get(reverse("newsletter:issue", args=[58])).content.decode())
    assert f'href="{PDF}"' in page and "Télécharger le PDF" in page
    page = client.get(reverse("newsletter:issue", args=[59])).content.decode()
    assert "pas disponible en ligne" in html.unescape(page)

    pdf = client.get(reverse("newsletter:issue_pdf", args=[58, 58]))
    assert (pdf.status_code, pdf["Location"]) == (302, PDF)
    assert client.get(reverse("newsletter:issue_pdf", args=[57, 57])).status_code == 404
    home = html.unescape(client.get(reverse("core:home")).content.decode())
    assert "Vœux et agenda" in home  # the latest issue sent


def test_the_back_office_shows_an_archived_issue_and_links_to_the_import(staff_client):
    import_through_pages(staff_client, KIND, csv_bytes(lines()), "numeros.csv")
    changelist = staff_client.get(reverse("admin:newsletter_issue_changelist"))
    assert reverse("admin:core_importjob_upload", args=[KIND]) in changelist.content.decode()
    issue = Issue.objects.get(number=58)
    page = staff_client.get(reverse("admin:newsletter_issue_change", args=[issue.pk]))
    assert page.status_code == 200
    content = html.unescape(page.content.decode()).replace("\u202f", " ").replace("\xa0", " ")
    assert PDF in content and "à 7 430 destinataires" in content
    assert reverse("admin:newsletter_issue_proof", args=[issue.pk]) not in content
    proof = staff_client.get(reverse("admin:newsletter_issue_proof", args=[issue.pk]))
    assert proof.status_code == 404


def test_the_template_marks_required_columns(staff_client):
    response = staff_client.get(reverse("admin:core_importjob_template", args=[KIND]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    headers = [cell.value for cell in next(book.worksheets[0].iter_rows(max_row=1))]
    assert headers[:3] == ["Numéro *", "Titre *", "Date d\u2019envoi *"]
    assert "Lien du PDF" in headers and "Destinataires" in headers
