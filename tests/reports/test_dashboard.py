"""The director dashboard at /direction/: who gets in, what it shows, building and serving
the PDF, and the back office of the directors' texts."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from infodoc.models import RequesterKind
from portal.reports import tasks
from portal.reports.models import BuildStatus, ReportBuild, ReportEdition
from tests.commit import after_commit_tasks
from tests.infodoc.factories import InfoRequestFactory
from tests.publications.factories import PublicationFactory

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.7\n% a stored report\n%%EOF\n"
THIS_YEAR = timezone.localdate().year
LAST_YEAR = THIS_YEAR - 1
DASHBOARD = reverse("reports:dashboard")


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def tasks_inline(monkeypatch):
    """Run the build queued after commit at once, in this process (no broker)."""
    monkeypatch.setattr(tasks.report_build, "delay", tasks.report_build)


@pytest.fixture
def director(client, director_user):
    client.force_login(director_user)
    return client


def stored_build(year: int = LAST_YEAR, **fields) -> ReportBuild:
    """A finished build with a file, made without the PDF renderer."""
    build = ReportBuild(
        year=year, status=BuildStatus.DONE, progress=100, step="Prêt", pages=3,
        size=len(PDF_BYTES), requested_at=timezone.now(), finished_at=timezone.now(), **fields,
    )  # fmt: skip
    build.file.save(f"rapport-activite-{year}-test.pdf", ContentFile(PDF_BYTES), save=False)
    build.save()
    return build


# Who gets in --------------------------------------------------------------------------


def _requests() -> list[tuple[str, str]]:
    return [
        ("get", DASHBOARD),
        ("get", reverse("reports:progress", args=[LAST_YEAR])),
        ("get", reverse("reports:download", args=[LAST_YEAR])),
        ("post", reverse("reports:build", args=[LAST_YEAR])),
    ]


@pytest.mark.parametrize(("method", "url"), _requests())
def test_only_directors_get_in(client, member_user, staff_user, director_user, method, url):
    stored_build()
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    for user in (member_user, staff_user):
        client.force_login(user)
        assert getattr(client, method)(url).status_code == 403, user
    client.force_login(director_user)
    response = getattr(client, method)(url)
    assert response.status_code == (302 if method == "post" else 200)
    assert ReportBuild.objects.count() == 1  # nobody but the director asked for a build


def test_the_build_and_download_urls_refuse_the_wrong_method(director):
    stored_build()
    assert director.get(reverse("reports:build", args=[LAST_YEAR])).status_code == 405
    assert director.post(reverse("reports:download", args=[LAST_YEAR])).status_code == 405
    assert director.post(reverse("reports:progress", args=[LAST_YEAR])).status_code == 405


def test_a_stored_report_is_not_reachable_by_guessing_its_url(client, director):
    build = stored_build()
    assert default_storage.exists(build.file.name)
    assert director.get(f"/media/{build.file.name}").status_code == 404
    assert director.get(f"/media/reports/{LAST_YEAR}/").status_code == 404
    client.logout()
    assert client.get(f"/media/{build.file.name}").status_code == 404


# What the dashboard shows --------------------------------------------------------------


def test_the_dashboard_sets_the_year_against_the_one_before(director):
    for day in (3, 10):
        PublicationFactory(published_on=datetime.date(LAST_YEAR - 1, 5, day))
    for day in (3, 10, 17):
        PublicationFactory(published_on=datetime.date(LAST_YEAR, 5, day))
    for month in range(1, 5):
        InfoRequestFactory(received_on=datetime.date(LAST_YEAR - 1, month, 2))
    for month in range(1, 6):
        kind = RequesterKind.CITY if month % 2 else RequesterKind.ASSOCIATION
        InfoRequestFactory(received_on=datetime.date(LAST_YEAR, month, 2), requester_kind=kind)

    response = director.get(DASHBOARD, {"annee": LAST_YEAR})

    assert response.status_code == 200
    assert response.context["year"] == LAST_YEAR
    figures = {figure.label: figure for figure in response.context["key_figures"]}
    publications, requests = figures[gettext("Publications")], figures[gettext("Info-doc requests")]
    assert (publications.previous, publications.current) == (2, 3)
    assert publications.change == 50
    assert (requests.previous, requests.current, requests.change) == (4, 5, 25)
    page = response.content.decode()
    caption = gettext("Key figures of %(year)s against %(previous_year)s") % {
        "year": LAST_YEAR,
        "previous_year": LAST_YEAR - 1,
    }
    assert f"<caption>{caption}</caption>" in page
    assert "+50,0\u202f%" in page and "+25,0\u202f%" in page
    charts = {chart.title: chart for chart in response.context["charts"]}
    by_kind = charts[gettext("Info-doc requests by kind of requester")]
    assert (str(RequesterKind.CITY.label), 4, 3) in by_kind.rows
    assert "<svg" in page
    # Downloads of the year: spreadsheets always; no PDF before a build.
    assert reverse("reports:xlsx", args=[LAST_YEAR]) in page
    for table in ("chiffres", "sessions", "demandes", "publications", "adherents"):
        assert reverse("reports:csv", args=[LAST_YEAR, table]) in page
    assert reverse("reports:download", args=[LAST_YEAR]) not in page
    assert 'action="{}"'.format(reverse("reports:build", args=[LAST_YEAR])) in page
    assert gettext("Build the report for %(year)s") % {"year": LAST_YEAR} in page


@pytest.mark.time_machine("2026-03-10 10:00 +01:00", tick=False)
@pytest.mark.parametrize("garbage", ["", "abc", "2", "1990", "2027", "2025.5"])
def test_a_year_outside_the_list_shows_the_last_complete_year(director, garbage):
    response = director.get(DASHBOARD, {"annee": garbage})
    assert response.status_code == 200
    assert (response.context["year"], response.context["previous_year"]) == (2025, 2024)
    assert '<option value="2025" selected>' in response.content.decode()
    assert not response.context["in_progress"]


@pytest.mark.time_machine("2026-03-10 10:00 +01:00", tick=False)
def test_the_year_in_progress_says_so(director):
    response = director.get(DASHBOARD, {"annee": 2026})
    assert response.context["year"] == 2026 and response.context["in_progress"]
    note = gettext("%(year)s is not over: its figures run to today.") % {"year": 2026}
    assert note in response.content.decode()


def test_the_page_loads_no_inline_script_or_style(director):
    page = director.get(DASHBOARD).content.decode()
    assert "css/direction.css" in page
    assert "<script>" not in page and "style=" not in page and "<style" not in page
    assert "js/admin_progress.js" not in page  # nothing to follow


def test_the_list_of_builds_has_a_fixed_number_of_queries(director, director_user):
    stored_build(LAST_YEAR, requested_by=director_user)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert director.get(DASHBOARD).status_code == 200
        return len(queries)

    count()  # the site settings, cached from then on
    few = count()
    for year in (LAST_YEAR - 1, LAST_YEAR - 2, LAST_YEAR - 3):
        stored_build(year, requested_by=director_user)
    assert count() == few


# Building, following and downloading ----------------------------------------------------


def test_a_director_builds_follows_and_downloads_the_report(
    director, director_user, tasks_inline, django_capture_on_commit_callbacks
):
    url = reverse("reports:build", args=[LAST_YEAR])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = director.post(url)
    assert len(after_commit_tasks(callbacks)) == 1
    assert response.status_code == 302
    assert response["Location"] == f"{DASHBOARD}?annee={LAST_YEAR}"
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == [
        gettext("The report of %(year)s is being built; this page shows its progress.")
        % {"year": LAST_YEAR}
    ]

    build = ReportBuild.objects.get()
    assert (build.year, build.status, build.progress) == (LAST_YEAR, BuildStatus.DONE, 100)
    assert build.requested_by == director_user and build.finished_at is not None
    assert build.pages >= 1 and build.size == build.file.size > 0
    assert build.file.name.startswith(f"reports/{LAST_YEAR}/")

    progress = director.get(reverse("reports:progress", args=[LAST_YEAR]))
    assert "no-store" in progress["Cache-Control"]
    assert progress.json() == {
        "percent": 100,
        "step": build.step,
        "status": "done",
        "status_label": str(BuildStatus.DONE.label),
        "finished": True,
        "pages": build.pages,
        "size": build.size,
    }

    download = director.get(reverse("reports:download", args=[LAST_YEAR]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == (
        f'attachment; filename="rapport-activite-{LAST_YEAR}.pdf"'
    )
    assert "no-store" in download["Cache-Control"] and "private" in download["Cache-Control"]
    content = b"".join(download.streaming_content)
    assert content.startswith(b"%PDF") and len(content) == build.size

    page = director.get(response["Location"]).content.decode()
    assert reverse("reports:download", args=[LAST_YEAR]) in page
    assert "js/admin_progress.js" not in page  # nothing running any more
    assert director.get(f"/media/{build.file.name}").status_code == 404


def test_a_rebuild_replaces_the_file(director, tasks_inline, django_capture_on_commit_callbacks):
    url = reverse("reports:build", args=[LAST_YEAR])
    with django_capture_on_commit_callbacks(execute=True):
        director.post(url)
    first = ReportBuild.objects.get().file.name
    with django_capture_on_commit_callbacks(execute=True):
        director.post(url)
    build = ReportBuild.objects.get()
    assert build.status == BuildStatus.DONE
    assert build.file.name != first
    assert default_storage.exists(build.file.name)
    assert not default_storage.exists(first)


def test_asking_twice_while_it_runs_builds_once(director, django_capture_on_commit_callbacks):
    url = reverse("reports:build", args=[LAST_YEAR])
    with django_capture_on_commit_callbacks() as callbacks:
        director.post(url)
        response = director.post(url)
    assert len(after_commit_tasks(callbacks)) == 1  # one task queued
    assert ReportBuild.objects.count() == 1
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages[-1] == gettext("The report of %(year)s is already being built.") % {
        "year": LAST_YEAR
    }

    build = ReportBuild.objects.get()
    assert build.status == BuildStatus.QUEUED
    data = director.get(reverse("reports:progress", args=[LAST_YEAR])).json()
    assert data["finished"] is False and data["percent"] == 0 and data["status"] == "queued"
    assert data["status_label"] == str(BuildStatus.QUEUED.label)

    page = director.get(DASHBOARD, {"annee": LAST_YEAR}).content.decode()
    progress_url = reverse("reports:progress", args=[LAST_YEAR])
    assert f'data-progress-url="{progress_url}" data-live="1"' in page
    assert "js/admin_progress.js" in page
    assert 'data-field="percent-bar"' in page and 'data-field="step"' in page
    assert reverse("reports:download", args=[LAST_YEAR]) not in page  # no file yet


def test_a_building_report_shows_its_step(director):
    ReportBuild.objects.create(
        year=LAST_YEAR, status=BuildStatus.BUILDING, progress=40, step="Mise en page",
        requested_at=timezone.now(),
    )  # fmt: skip
    data = director.get(reverse("reports:progress", args=[LAST_YEAR])).json()
    assert (data["percent"], data["step"], data["finished"]) == (40, "Mise en page", False)
    page = director.get(DASHBOARD).content.decode()
    assert f'<progress id="progress-{LAST_YEAR}" max="100" value="40"' in page


def test_a_year_outside_the_list_cannot_be_built(director):
    for year in (THIS_YEAR + 1, THIS_YEAR - 10, 1998):
        assert director.post(reverse("reports:build", args=[year])).status_code == 404
    assert not ReportBuild.objects.exists()


def test_no_build_or_no_file_is_a_404(director):
    assert director.get(reverse("reports:progress", args=[LAST_YEAR])).status_code == 404
    assert director.get(reverse("reports:download", args=[LAST_YEAR])).status_code == 404
    ReportBuild.objects.create(year=LAST_YEAR, requested_at=timezone.now())
    assert director.get(reverse("reports:progress", args=[LAST_YEAR])).status_code == 200
    assert director.get(reverse("reports:download", args=[LAST_YEAR])).status_code == 404


def test_a_file_missing_from_the_storage_is_a_404(director):
    build = stored_build()
    default_storage.delete(build.file.name)
    assert director.get(reverse("reports:download", args=[LAST_YEAR])).status_code == 404


# The back office ---------------------------------------------------------------------------


def test_only_directors_see_the_report_in_the_back_office(client, staff_user, director_user):
    edition = ReportEdition.objects.create(year=LAST_YEAR, foreword="Une année.")
    build = stored_build()
    urls = [
        reverse("admin:reports_reportedition_changelist"),
        reverse("admin:reports_reportedition_change", args=[edition.pk]),
        reverse("admin:reports_reportedition_add"),
        reverse("admin:reports_reportbuild_changelist"),
        reverse("admin:reports_reportbuild_change", args=[build.pk]),
    ]
    client.force_login(staff_user)
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert (
        reverse("admin:reports_reportedition_changelist")
        not in client.get(reverse("admin:index")).content.decode()
    )

    client.force_login(director_user)
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert (
        reverse("admin:reports_reportedition_changelist")
        in client.get(reverse("admin:index")).content.decode()
    )
    # Builds are read only: no adding, changing or deleting, and no /media/ link.
    assert client.get(reverse("admin:reports_reportbuild_add")).status_code == 403
    assert (
        client.get(reverse("admin:reports_reportbuild_delete", args=[build.pk])).status_code == 403
    )
    page = client.get(reverse("admin:reports_reportbuild_change", args=[build.pk])).content.decode()
    assert reverse("reports:download", args=[LAST_YEAR]) in page
    assert "/media/" not in page


def test_a_director_writes_the_texts_in_the_back_office(client, director_user):
    client.force_login(director_user)
    response = client.post(
        reverse("admin:reports_reportedition_add"),
        {
            "year": LAST_YEAR,
            "foreword": "Une année dense.\n\nMerci à toutes et tous.",
            "perspectives": "Poursuivre.",
            "board": "Hélène Marchand, présidente\nAhmed Ouali, trésorier",
        },
    )
    assert response.status_code == 302
    edition = ReportEdition.objects.get(year=LAST_YEAR)
    assert edition.board_members() == [
        ("Hélène Marchand", "présidente"),
        ("Ahmed Ouali", "trésorier"),
    ]
    page = client.get(DASHBOARD, {"annee": LAST_YEAR}).content.decode()
    assert reverse("admin:reports_reportedition_change", args=[edition.pk]) in page
