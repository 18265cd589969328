"""The public pages of the events app: agenda, action pages, registration, cancellation."""

from events.views.actions import action_detail, registration_done
from events.views.agenda import action_ics, agenda, agenda_ics, past_actions_list
from events.views.cancellation import cycle_cancel, registration_cancel

__all__ = [
    "action_detail",
    "action_ics",
    "agenda",
    "agenda_ics",
    "cycle_cancel",
    "past_actions_list",
    "registration_cancel",
    "registration_done",
]
