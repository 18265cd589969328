"""What bench/run reads from pages and wrk, and how it turns figures into verdicts."""

from __future__ import annotations

import pytest
from django.test import override_settings

from bench.scale import report, writes
from portal.core.models import AuditEntry, OutgoingMail


def figures(rps: float, *, p95_ms: float = 5.0, errors: int = 0) -> dict:
    return {"rps": rps, "p95_ms": p95_ms, "errors": errors}


ACTION_PAGE = """
<li><!--live:session-state:7--><span class="status">
  3 places restantes</span><!--/live--></li>
<li><!--live:session-state:9--><span class="status">Complet</span><!--/live--></li>
<input type="radio" name="session" value="all">
<input type="radio" name="session" value="9">
"""


def test_live_states_by_session_with_spaces_folded():
    assert writes.live_states(ACTION_PAGE) == {
        7: '<span class="status"> 3 places restantes</span>',
        9: '<span class="status">Complet</span>',
    }


def test_open_session_is_the_first_offered_with_a_live_state():
    assert writes.open_session(ACTION_PAGE) == 9


def test_mix_counts_sum_the_slices():
    output = "BENCH 1 2 3 0 0\nMIX 20 19 0\nBENCH 1 2 3 0 0\nMIX 22 21 1\n"
    assert writes.mix_counts(output) == {"posted": 42, "redirected": 40, "refused": 1}


def test_mix_script_puts_each_form_with_the_email_slot():
    script = writes.mix_script(
        gets=["/", '/a"b/'],
        posts={"/infodoc/": {"email": "EMAIL", "subject": "Où ?"}},
        cookie="csrftoken=abc",
    )
    assert 'local gets = {"/", "/a\\"b/"}' in script
    assert '{path = "/infodoc/", body = "email=EMAIL&subject=O%C3%B9+%3F"}' in script
    assert 'local cookie = "csrftoken=abc"' in script


def cold(page: float, trivial: float, layout: float) -> dict:
    return {"page": figures(page), "trivial": figures(trivial), "layout": figures(layout)}


def test_a_cold_page_needs_both_ratios():
    lines = report.load_lines(
        {
            "both": cold(100, 1000, 400),  # 0.1 x trivial, 0.25 x layout
            "slow beside the trivial view": cold(70, 1000, 300),  # 0.07 x, 0.23 x
            "slow beside the layout": cold(90, 1000, 500),  # 0.09 x, 0.18 x
        },
        {},
    )
    assert [ok for *_rest, ok in lines] == [True, False, False]


def _mixed(*, refused: int = 0, written: int = 30) -> dict:
    return {
        "mix": figures(600),
        "trivial": figures(1000),
        "minimal": figures(800),
        "minimal with a mail": figures(700),
        "counts": {"posted": 32, "redirected": 30, "refused": refused},
        "written": {"registration": written, "info-doc request": 0, "subscription": 0},
    }


def test_mixed_load_fails_on_a_refused_post_or_missing_rows():
    def line(**changes) -> bool:
        return report.mixed_lines(_mixed(**changes))[0][-1]

    assert line()
    assert not line(refused=1)
    assert not line(written=29)


def test_mixed_load_shows_the_same_mix_with_minimal_forms_beside_it():
    reference = report.mixed_lines(_mixed())[0][2]

    assert "trivial view: 1000 req/s" in reference
    assert "minimal form" in reference and "800 req/s (0.80 x)" in reference
    assert "one mail" in reference and "700 req/s (0.70 x)" in reference


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="bench.urls")
def test_the_minimal_form_with_a_mail_records_a_row_and_a_mail_in_one_transaction(client):
    response = client.post("/__bench__/write-mail/", {"email": "camille@example.org"})

    assert response.status_code == 302
    assert AuditEntry.objects.get().object_repr == "camille@example.org"
    assert OutgoingMail.objects.get().recipients == ["camille@example.org"]
    assert client.post("/__bench__/write-mail/", {"email": "pas une adresse"}).status_code == 400
    assert OutgoingMail.objects.count() == 1
