"""The follow page shows the question and the answer; each published Q&A has its page,
and the Q&As are searched like the publications (accents, plurals, inclusive writing,
theme names)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from infodoc.models import InfoRequest, RequestStatus
from infodoc.services.intake import follow_token
from portal.core.models import Theme
from tests.infodoc.factories import InfoRequestFactory

pytestmark = pytest.mark.django_db

QA_LIST = "/infodoc/questions-reponses/"


def published(question: str, answer: str, **kwargs) -> InfoRequest:
    request = InfoRequestFactory(
        status=RequestStatus.ANSWERED, question="Question privée de la personne", **kwargs
    )
    InfoRequest.objects.filter(pk=request.pk).update(
        is_public=True, public_question=question, public_answer=answer
    )
    request.refresh_from_db()
    return request


def found(client, q: str) -> list[str]:
    response = client.get(QA_LIST, {"q": q})
    assert response.status_code == 200
    return [item.public_question for item in response.context["questions"]]


def test_the_follow_page_shows_the_question_then_the_answer_once_sent(client):
    request = InfoRequestFactory(
        status=RequestStatus.IN_PROGRESS, question="Où trouver des données sur l'emploi ?"
    )
    content = client.get(reverse("infodoc:follow", args=[follow_token(request)])).content
    content = content.decode()
    assert "Où trouver des données sur l&#x27;emploi ?" in content
    assert 'id="answer-title"' not in content

    answered = InfoRequestFactory(
        status=RequestStatus.ANSWERED,
        question="Des exemples de budgets participatifs ?",
        answer="Voici trois dossiers.",
    )
    content = client.get(reverse("infodoc:follow", args=[follow_token(answered)])).content
    content = content.decode()
    assert content.index("Des exemples de budgets participatifs ?") < content.index(
        "Voici trois dossiers."
    )


def test_a_published_qa_has_its_own_page_under_a_french_slug(client):
    qa = published("Comment construire un diagnostic partagé ?", "En associant les habitants.")

    url = qa.get_public_url()

    assert url == f"/infodoc/questions-reponses/{qa.pk}-comment-construire-un-diagnostic-partage/"
    response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>" in content
    assert "Comment construire un diagnostic partagé ?" in content
    assert "En associant les habitants." in content
    assert "Question privée" not in content


def test_a_wrong_slug_redirects_and_an_unpublished_request_is_404(client):
    qa = published("Comment construire un diagnostic partagé ?", "En associant les habitants.")
    private = InfoRequestFactory(status=RequestStatus.ANSWERED)

    response = client.get(f"/infodoc/questions-reponses/{qa.pk}-ancien-titre/")
    assert response.status_code == 301
    assert response["Location"] == qa.get_public_url()
    assert client.get(f"/infodoc/questions-reponses/{private.pk}-x/").status_code == 404


def test_the_service_page_links_each_qa_to_its_page_and_to_the_search(client):
    qa = published("Comment construire un diagnostic partagé ?", "En associant les habitants.")

    content = client.get("/infodoc/").content.decode()

    assert f'href="{qa.get_public_url()}"' in content
    assert f'action="{QA_LIST}"' in content


def test_the_qas_are_searched_with_accents_plurals_and_inclusive_writing(client):
    published("Comment associer les habitant·es au diagnostic ?", "Par des ateliers.")
    published("Quels financements pour un centre social ?", "La CAF et la commune.")
    published("Des données sur l'emploi des jeunes ?", "L'INSEE publie des tableaux.")

    assert found(client, "habitants") == ["Comment associer les habitant·es au diagnostic ?"]
    assert found(client, "HABITANT·ES") == ["Comment associer les habitant·es au diagnostic ?"]
    assert found(client, "financement") == ["Quels financements pour un centre social ?"]
    assert found(client, "insee") == ["Des données sur l'emploi des jeunes ?"]
    assert found(client, "donnees emploi") == ["Des données sur l'emploi des jeunes ?"]
    assert found(client, "emploi -jeunes") == []
    assert len(found(client, "!!!")) == 3  # nothing searchable: every Q&A


def test_a_word_naming_a_theme_finds_the_qas_filed_under_it(client):
    health = Theme.objects.get(slug="sante")
    filed = published("Un annuaire des maisons de quartier ?", "Le voici.")
    filed.themes.add(health)
    published("Des données sur l'emploi ?", "L'INSEE.")

    assert found(client, "santé") == ["Un annuaire des maisons de quartier ?"]
    assert found(client, "santé annuaire") == ["Un annuaire des maisons de quartier ?"]


def test_a_search_without_result_says_so(client):
    published("Des données sur l'emploi ?", "L'INSEE.")

    response = client.get(QA_LIST, {"q": "zzzz"})

    assert response.context["questions"] == []
    assert 'class="no-result"' in response.content.decode()


def test_the_sitemap_lists_the_published_qas_and_their_list(client):
    qa = published("Comment construire un diagnostic partagé ?", "En associant les habitants.")
    private = InfoRequestFactory(status=RequestStatus.ANSWERED)

    content = client.get("/sitemap.xml").content.decode()

    assert f"{qa.get_public_url()}</loc>" in content
    assert f"{QA_LIST}</loc>" in content
    assert f"/questions-reponses/{private.pk}-" not in content
