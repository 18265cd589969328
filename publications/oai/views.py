"""The OAI-PMH endpoint (GET and POST, as the protocol allows both)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from publications.oai import protocol
from publications.oai.protocol import OAIError
from publications.oai.verbs import VERBS, Body
from publications.oai.writer import ResponseWriter

CONTENT_TYPE = "text/xml; charset=utf-8"


def base_url() -> str:
    return settings.SITE_URL + reverse("oai:endpoint")


def render(request_attrs: dict[str, str], body: Body | None, error: OAIError | None) -> bytes:
    """The response document; no argument is echoed after badVerb or badArgument."""
    if error is not None and error.code in protocol.NO_ECHO_CODES:
        request_attrs = {}
    out = ResponseWriter()
    with out.document(base_url(), request_attrs):
        if error is not None:
            out.error(error)
        elif body is not None:
            body(out)
    return out.getvalue()


@csrf_exempt
@require_http_methods(["GET", "POST"])
def endpoint(request: HttpRequest) -> HttpResponse:
    query = request.POST if request.method == "POST" else request.GET
    attrs: dict[str, str] = {}
    body = error = None
    try:
        verb, arguments = protocol.parse_request(query)
        attrs = {"verb": verb, **arguments}
        body = VERBS[verb](arguments, base_url())
    except OAIError as raised:
        error = raised
    return HttpResponse(render(attrs, body, error), content_type=CONTENT_TYPE)
