"""Spreadsheet imports of the directory and of memberships (portal.core.sheets).

The readers of this module are shared by the apps above that name people: the type of
actor is read the same way in the subscribers', the attendance and the info-doc imports.
"""

from __future__ import annotations

from members.models import ActorType
from portal.core.sheets.columns import Choice

# Words staff write for the types of actor, besides the labels and the codes.
ACTOR_TYPE = Choice(
    ActorType,
    aliases={
        "collectivité": ActorType.COLLECTIVITY_STAFF,
        "agent": ActorType.COLLECTIVITY_STAFF,
        "technicien de collectivité": ActorType.COLLECTIVITY_STAFF,
        "professionnel de collectivité": ActorType.COLLECTIVITY_STAFF,
        "élu local": ActorType.ELECTED,
        "état": ActorType.STATE,
        "institution": ActorType.STATE,
        "services de l'état": ActorType.STATE,
        "institutionnel": ActorType.STATE,
        "chercheur": ActorType.RESEARCHER,
        "expert": ActorType.RESEARCHER,
        "universitaire": ActorType.RESEARCHER,
        "bénévole": ActorType.ASSOCIATION,
        "associatif": ActorType.ASSOCIATION,
        "citoyen": ActorType.RESIDENT,
    },
)
