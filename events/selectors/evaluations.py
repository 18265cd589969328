"""What participants thought of the sessions: answers counted and averaged per action
and per year (the year a session took place, in the centre's time zone)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import ExtractYear

from events.models import Action, Attendance, Evaluation

SCORES = (1, 2, 3, 4, 5)
QUESTIONS = ("satisfaction", "usefulness")


@dataclass(frozen=True)
class ScoreSummary:
    """One question: its average (one decimal, None without answers) and how many chose
    each score from 1 to 5."""

    average: Decimal | None
    distribution: dict[int, int]

    @property
    def shares(self) -> dict[int, int]:
        """Percent of the answers per score (rounded)."""
        total = sum(self.distribution.values())
        if not total:
            return dict.fromkeys(SCORES, 0)
        return {score: round(100 * count / total) for score, count in self.distribution.items()}


@dataclass(frozen=True)
class EvaluationSummary:
    answers: int
    sent: int
    satisfaction: ScoreSummary
    usefulness: ScoreSummary
    with_comments: int
    action: Action | None = None
    year: int | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def response_rate(self) -> int | None:
        """Percent of the questionnaires sent that were answered."""
        return round(100 * self.answers / self.sent) if self.sent else None


def _one_decimal(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _aggregates() -> dict:
    aggregates: dict = {
        "answers": Count("pk"),
        "with_comments": Count("pk", filter=~Q(comments="")),
    }
    for question in QUESTIONS:
        aggregates[f"{question}_avg"] = Avg(question)
        for score in SCORES:
            aggregates[f"{question}_{score}"] = Count("pk", filter=Q(**{question: score}))
    return aggregates


def _score(values: dict, question: str) -> ScoreSummary:
    return ScoreSummary(
        average=_one_decimal(values[f"{question}_avg"]),
        distribution={score: values[f"{question}_{score}"] for score in SCORES},
    )


def _scope(queryset: QuerySet, *, action: Action | None, year: int | None) -> QuerySet:
    if action is not None:
        queryset = queryset.filter(session__action=action)
    if year is not None:
        queryset = queryset.filter(session__starts_at__year=year)
    return queryset


def evaluation_summary(
    *, action: Action | None = None, year: int | None = None, with_comments: bool = False
) -> EvaluationSummary:
    """Answers of one action and/or one year (all answers without either).

    Two queries (three with the comments); `sent` counts the questionnaires emailed.
    """
    values = _scope(Evaluation.objects.all(), action=action, year=year).aggregate(**_aggregates())
    sent = _scope(
        Attendance.objects.filter(evaluation_sent_at__isnull=False), action=action, year=year
    ).count()
    comments = []
    if with_comments:
        comments = list(
            _scope(Evaluation.objects.exclude(comments=""), action=action, year=year)
            .order_by("-submitted_at")
            .values_list("comments", flat=True)
        )
    return EvaluationSummary(
        answers=values["answers"],
        sent=sent,
        satisfaction=_score(values, "satisfaction"),
        usefulness=_score(values, "usefulness"),
        with_comments=values["with_comments"],
        action=action,
        year=year,
        comments=comments,
    )


def evaluation_summaries_by_action(*, year: int | None = None) -> list[EvaluationSummary]:
    """One summary per action that has answers (for the year if given), by title; 3 queries."""
    rows = (
        _scope(Evaluation.objects.all(), action=None, year=year)
        .values("session__action")
        .annotate(**_aggregates())
        .order_by()
    )
    by_action = {row["session__action"]: row for row in rows}
    sent = dict(
        _scope(Attendance.objects.filter(evaluation_sent_at__isnull=False), action=None, year=year)
        .filter(session__action__in=list(by_action))
        .values("session__action")
        .annotate(total=Count("pk"))
        .order_by()
        .values_list("session__action", "total")
    )
    actions = Action.objects.filter(pk__in=list(by_action)).order_by("title")
    return [
        EvaluationSummary(
            answers=by_action[action.pk]["answers"],
            sent=sent.get(action.pk, 0),
            satisfaction=_score(by_action[action.pk], "satisfaction"),
            usefulness=_score(by_action[action.pk], "usefulness"),
            with_comments=by_action[action.pk]["with_comments"],
            action=action,
            year=year,
        )
        for action in actions
    ]


def evaluation_years() -> list[int]:
    """The years that have answers, most recent first."""
    years = (
        Evaluation.objects.annotate(year=ExtractYear("session__starts_at"))
        .values_list("year", flat=True)
        .distinct()
    )
    return sorted(years, reverse=True)
