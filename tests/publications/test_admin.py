"""The publications back office: access, list, filters, workflow actions, preview."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from portal.core.models import AuditEntry, Theme
from publications.models import Publication, PublicationKind, PublicationStatus
from tests.publications.admin_factories import (
    AdminPublicationFactory,
    DepartmentFactory,
    media_root,  # noqa: F401 - fixture
)

pytestmark = pytest.mark.usefixtures("media_root")

CHANGELIST = "admin:publications_publication_changelist"


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def listed(response) -> set[int]:
    return {publication.pk for publication in response.context["cl"].result_list}


def days(count: int):
    return timezone.localdate() + timedelta(days=count)


# Access ---------------------------------------------------------------------------------


def pages(publication: Publication) -> list[str]:
    return [
        reverse(CHANGELIST),
        reverse("admin:publications_publication_add"),
        reverse("admin:publications_publication_change", args=[publication.pk]),
        reverse("admin:core_importjob_upload", args=["publications.publications"]),
    ]


@pytest.mark.django_db
def test_staff_see_every_page(staff_client):
    publication = AdminPublicationFactory()
    for url in pages(publication):
        response = staff_client.get(url)
        assert response.status_code == 200, url


@pytest.mark.django_db
def test_members_and_visitors_are_refused(client, member_user):
    publication = AdminPublicationFactory()
    for url in pages(publication):
        assert client.get(url).status_code == 302  # to the admin login
    client.force_login(member_user)
    for url in pages(publication):
        response = client.get(url)
        assert response.status_code == 302, url
        assert reverse("admin:login") in response["Location"]


@pytest.mark.django_db
def test_staff_without_the_publication_rights_cannot_import(client, make_user):
    client.force_login(make_user("stagiaire@example.org", staff=True))
    url = reverse("admin:core_importjob_upload", args=["publications.publications"])
    assert client.get(url).status_code == 403


# List, filters, search --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_shows_the_columns_and_a_preview_link(staff_client):
    publication = AdminPublicationFactory(title="Kit Limit's", slug="kit-limits")
    Publication.objects.filter(pk=publication.pk).update(download_count=12345)
    response = staff_client.get(reverse(CHANGELIST))
    content = response.content.decode()
    assert "Kit Limit" in content
    assert "/kit-limits/?preview=1" in content
    assert "12\u202f345" in content  # as French writes numbers
    assert response.context["cl"].list_display == [
        "action_checkbox", "title", "kind", "status", "published_on", "downloads",
        "preview_link",
    ]  # fmt: skip


@pytest.mark.django_db
def test_filters_by_status_kind_theme_year_and_territory(staff_client):
    health = Theme.objects.get(slug="sante")
    yvelines = DepartmentFactory(code="78", name="Yvelines")
    last_year = timezone.localdate().replace(month=3, day=1) - timedelta(days=365)
    old = AdminPublicationFactory(published_on=last_year, kind=PublicationKind.PODCAST)
    themed = AdminPublicationFactory(themes=[health], departments=[yvelines])
    published = AdminPublicationFactory(status=PublicationStatus.PUBLISHED)

    def filtered(**params) -> set[int]:
        return listed(staff_client.get(reverse(CHANGELIST), params))

    assert filtered(status__exact="published") == {published.pk}
    assert filtered(kind__exact="podcast") == {old.pk}
    assert filtered(themes__id__exact=health.pk) == {themed.pk}
    assert filtered(year=str(last_year.year)) == {old.pk}
    assert filtered(departments__id__exact=yvelines.pk) == {themed.pk}


@pytest.mark.django_db
def test_search_finds_titles_and_authors(staff_client):
    wanted = AdminPublicationFactory(title="Recettes saines et gourmandes", authors="Coopérative")
    AdminPublicationFactory(title="Autre chose")
    assert listed(staff_client.get(reverse(CHANGELIST), {"q": "gourmandes"})) == {wanted.pk}
    assert listed(staff_client.get(reverse(CHANGELIST), {"q": "coopérative"})) == {wanted.pk}


@pytest.mark.django_db
def test_the_change_page_has_a_preview_link_and_the_audit_trail(staff_client, staff_user):
    publication = AdminPublicationFactory(slug="actes-participation")
    response = staff_client.get(
        reverse("admin:publications_publication_change", args=[publication.pk])
    )
    content = response.content.decode()
    assert response.context["preview_url"].endswith("/actes-participation/?preview=1")
    assert f'<a href="{response.context["preview_url"]}" class="viewsitelink"' in content
    assert "id_themes" in content and "id_coproducers" in content  # filter_horizontal


# Saving ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_status_change_in_the_form_is_audited(staff_client, staff_user):
    publication = AdminPublicationFactory(title="Synthèse", slug="synthese")
    data = {
        "title": "Synthèse", "slug": "synthese", "kind": PublicationKind.SYNTHESIS,
        "summary": "", "body": "", "status": PublicationStatus.PUBLISHED,
        "published_on": days(-1).isoformat(),
    }  # fmt: skip
    url = reverse("admin:publications_publication_change", args=[publication.pk])
    assert staff_client.post(url, data).status_code == 302
    entry = AuditEntry.objects.for_object(publication).get()
    assert entry.action == "publication.status"
    assert entry.actor == staff_user
    assert entry.changes["status"] == ["draft", "published"]


@pytest.mark.django_db
def test_the_form_refuses_a_schedule_in_the_past_and_a_podcast_without_link(staff_client):
    data = {
        "title": "Podcast", "slug": "podcast", "kind": PublicationKind.PODCAST, "summary": "",
        "body": "", "status": PublicationStatus.SCHEDULED, "published_on": days(-2).isoformat(),
    }  # fmt: skip
    response = staff_client.post(reverse("admin:publications_publication_add"), data)
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"published_on", "media_url"}
    assert not Publication.objects.exists()


# Workflow actions ---------------------------------------------------------------------------


def run_action(client, action: str, publications, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [p.pk for p in publications], **extra}
    return client.post(reverse(CHANGELIST), data)


@pytest.mark.django_db
def test_publish_now_and_back_to_draft(staff_client, staff_user):
    drafts = [AdminPublicationFactory(), AdminPublicationFactory(published_on=days(4))]
    response = run_action(staff_client, "publish_now", drafts)
    assert response.status_code == 302
    for draft in drafts:
        draft.refresh_from_db()
        assert draft.status == PublicationStatus.PUBLISHED
        assert draft.published_on <= timezone.localdate()
    assert any("2" in message for message in messages_of(response))

    run_action(staff_client, "back_to_draft", drafts[:1])
    drafts[0].refresh_from_db()
    assert drafts[0].status == PublicationStatus.DRAFT
    actions = AuditEntry.objects.for_object(drafts[0]).values_list("action", "actor")
    assert list(actions) == [
        ("publication.withdrawn", staff_user.pk),
        ("publication.published", staff_user.pk),
    ]


@pytest.mark.django_db
def test_schedule_asks_for_the_date_then_schedules(staff_client):
    drafts = [AdminPublicationFactory(), AdminPublicationFactory()]
    page = run_action(staff_client, "schedule", drafts)
    assert page.status_code == 200
    assert "publish_on" in page.context["form"].fields
    assert {p.title for p in page.context["publications"]} == {d.title for d in drafts}

    refused = run_action(staff_client, "schedule", drafts, apply="1", publish_on="2000-01-01")
    assert refused.status_code == 200
    assert refused.context["form"].errors

    date = days(14)
    done = run_action(staff_client, "schedule", drafts, apply="1", publish_on=date.isoformat())
    assert done.status_code == 302
    for draft in drafts:
        draft.refresh_from_db()
        assert (draft.status, draft.published_on) == (PublicationStatus.SCHEDULED, date)
        assert AuditEntry.objects.for_object(draft).get().action == "publication.scheduled"
