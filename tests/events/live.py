"""What a page shows of each session's registration state (its live fragment), as text."""

from __future__ import annotations

import re
from html import unescape

from django.utils.html import strip_tags

LIVE_STATE = re.compile(r"<!--live:session-state:(\d+)-->(.*?)<!--/live-->", re.DOTALL)


def session_states(response) -> dict[int, str]:
    """{session pk: « 7 places restantes », « Complet \u2013 liste d'attente »…}."""
    content = response.content.decode()
    return {
        int(pk): " ".join(unescape(strip_tags(html)).split())
        for pk, html in LIVE_STATE.findall(content)
    }
