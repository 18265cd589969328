"""factory_boy factories for the info-doc app.

`InfoRequestFactory` goes through `info_request_create`, so every request has its
reference (`ID-<year>-<nnnn>`) and its creation audit entry. Pass `status=` to get a
request already moved along the workflow (each step through `info_request_transition`).
"""

from __future__ import annotations

import factory
from django.core.files.base import ContentFile

from infodoc.models import Attachment, InfoRequest, RequesterKind, RequestStatus, Resource
from tests.members.factories import PersonFactory

# The shortest path from "new" to each status.
_PATHS: dict[str, tuple[str, ...]] = {
    RequestStatus.NEW: (),
    RequestStatus.IN_PROGRESS: (RequestStatus.IN_PROGRESS,),
    RequestStatus.ANSWERED: (RequestStatus.IN_PROGRESS, RequestStatus.ANSWERED),
    RequestStatus.CLOSED: (
        RequestStatus.IN_PROGRESS,
        RequestStatus.ANSWERED,
        RequestStatus.CLOSED,
    ),
    RequestStatus.NO_FOLLOW_UP: (RequestStatus.NO_FOLLOW_UP,),
}


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    title = factory.Sequence(lambda n: f"Guide de la politique de la ville {n}")
    author = "Centre de ressources"
    kind = Resource.Kind.REPORT
    year = 2024
    url = factory.Sequence(lambda n: f"https://example.org/ressources/{n}")


class InfoRequestFactory(factory.django.DjangoModelFactory):
    """A request created by `info_request_create`; `status=` walks the workflow."""

    class Meta:
        model = InfoRequest

    person = factory.SubFactory(PersonFactory)
    subject = factory.Sequence(lambda n: f"Diagnostic de territoire {n}")
    question = "Auriez-vous des exemples de diagnostics partagés en QPV ?"
    requester_kind = RequesterKind.CITY

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from infodoc.services.requests import info_request_create, info_request_transition

        status = kwargs.pop("status", RequestStatus.NEW)
        actor = kwargs.pop("actor", None)
        answer = kwargs.pop("answer", "")
        if status in (RequestStatus.ANSWERED, RequestStatus.CLOSED) and not answer:
            answer = "Voici quelques ressources utiles."
        request = info_request_create(actor=actor, answer=answer, **kwargs)
        for step in _PATHS[status]:
            request = info_request_transition(request=request, to_status=step, actor=actor)
        return request


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attachment

    request = factory.SubFactory(InfoRequestFactory)
    title = factory.Sequence(lambda n: f"Pièce jointe {n}")
    file = factory.LazyAttribute(lambda a: ContentFile(b"%PDF-1.4 test\n", name="dossier.pdf"))
