"""Who receives an issue: its segment of the active subscribers.

An issue may be sent to some départements, some types of actor and some themes. Each
criterion left empty lets everyone through; a subscriber must match every criterion
set. A subscriber who chose no theme receives the issues sent to all themes, not those
sent to chosen themes: a theme segment reaches only the subscribers who chose one of
them. A subscriber without a département is outside every département segment.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from members.models import ActorType
from newsletter.models import Issue, Subscriber, SubscriberStatus


def segment_subscribers(
    *, department_ids: list[int], actor_types: list[str], theme_ids: list[int]
) -> QuerySet[Subscriber]:
    """The active subscribers matching every criterion given (one row each)."""
    subscribers = Subscriber.objects.filter(status=SubscriberStatus.ACTIVE)
    if department_ids:
        subscribers = subscribers.filter(department_id__in=department_ids)
    if actor_types:
        subscribers = subscribers.filter(actor_type__in=actor_types)
    if theme_ids:
        chosen = Subscriber.themes.through.objects.filter(
            subscriber_id=OuterRef("pk"), theme_id__in=theme_ids
        )
        subscribers = subscribers.filter(Exists(chosen))
    return subscribers


def issue_recipients(*, issue: Issue) -> QuerySet[Subscriber]:
    """The active subscribers of the issue's segment (all of them without a segment)."""
    return segment_subscribers(
        department_ids=list(issue.segment_departments.values_list("pk", flat=True)),
        actor_types=list(issue.segment_actor_types),
        theme_ids=list(issue.segment_themes.values_list("pk", flat=True)),
    )


def segment_describe(*, issue: Issue) -> str:
    """The segment in French words, for the back office and the audit trail."""
    parts = []
    departments = [
        f"{department.name} ({department.code})"
        for department in issue.segment_departments.order_by("code")
    ]
    if departments:
        parts.append(_("départements: %(list)s") % {"list": ", ".join(departments)})
    if issue.segment_actor_types:
        labels = [
            str(ActorType(value).label) if value in ActorType.values else value
            for value in issue.segment_actor_types
        ]
        parts.append(_("types of actor: %(list)s") % {"list": ", ".join(labels)})
    themes = [theme.name for theme in issue.segment_themes.order_by("name")]
    if themes:
        parts.append(_("themes: %(list)s") % {"list": ", ".join(themes)})
    if not parts:
        return _("all active subscribers")
    return pgettext("between the criteria of a segment", "; ").join(parts)
