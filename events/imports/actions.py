"""Actions with their sessions, one line per session.

Lines with the same action title (loosely: case, accents, apostrophes) and the same year
form one action; the same title another year is another action, with its own address
(title and year, numbered when taken). A session is the action's at that start: the
same file imported twice updates. An empty cell keeps what the record has (a new session
without half-days has them computed from its times); imported actions are published and
public unless the file says otherwise. Partners must be organisations of the directory:
the file has no kind for them, and a misspelt name would otherwise become a second
organisation on the public pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Q
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events.imports.common import BATCH, EventLookups
from events.models import Action, ActionFormat, ActionStatus, Session
from portal.core.formats import format_time
from portal.core.pagecache import page_cache_invalidate
from portal.core.services import audit_log_many
from portal.core.sheets import columns as read
from portal.core.sheets.columns import CellError, Choice, Column
from portal.core.sheets.engine import CREATE, UNCHANGED, UPDATE, Importer, Row
from portal.core.sheets.registry import register
from portal.core.text import loose_key

# Words staff write for the formats, besides the labels and the codes.
FORMAT = Choice(
    ActionFormat,
    aliases={
        "groupe de travail": ActionFormat.PEER_GROUP,
        "groupe d'échanges": ActionFormat.PEER_GROUP,
        "groupe de pairs": ActionFormat.PEER_GROUP,
        "groupe d'échange de pratiques": ActionFormat.PEER_GROUP,
        "GT": ActionFormat.PEER_GROUP,
        "petit déj": ActionFormat.BREAKFAST,
        "cycle": ActionFormat.QUALIFICATION_CYCLE,
        "rencontre": ActionFormat.MEETING,
        "journée": ActionFormat.MEETING,
        "rencontre départementale": ActionFormat.MEETING,
        "rencontre régionale": ActionFormat.MEETING,
        "journée départementale": ActionFormat.MEETING,
        "journée régionale": ActionFormat.MEETING,
        "webinar": ActionFormat.WEBINAR,
        "visio": ActionFormat.WEBINAR,
        "visioconférence": ActionFormat.WEBINAR,
        "samedi des élus": ActionFormat.ELECTED_SATURDAY,
        "rencontres observation et territoires": ActionFormat.OBSERVATION,
        "observation et territoires": ActionFormat.OBSERVATION,
        "formation action": ActionFormat.ACTION_TRAINING,
        "appui": ActionFormat.SUPPORT,
        "accompagnement": ActionFormat.SUPPORT,
        "appui-accompagnement": ActionFormat.SUPPORT,
        "appui accompagnement de territoire": ActionFormat.SUPPORT,
    },
)
STATUS = Choice(
    ActionStatus,
    aliases={
        "publié": ActionStatus.PUBLISHED,
        "réalisé": ActionStatus.PUBLISHED,
        "terminé": ActionStatus.PUBLISHED,
        "annulé": ActionStatus.CANCELLED,
    },
)
SESSION_FIELDS = (
    "title", "ends_at", "half_days_override", "venue", "address", "commune", "capacity",
    "is_online", "online_url",
)  # fmt: skip


def partner(value, lookups: EventLookups) -> int:
    """An organisation of the directory, by its name (loosely): its id."""
    pk = lookups.organisations.get(loose_key(read.cell_text(value)))
    if pk is None:
        raise CellError(value)
    return pk


partners = read.several(
    partner,
    gettext_lazy(
        "Unknown organisations: %(names)s. Add them to the directory first, or correct "
        "their spelling."
    ),
)


@dataclass
class ActionPlan:
    """One action of the file: the record found (or None) and what the file says of it."""

    key: tuple[str, int]
    title: str
    action: Action | None = None
    slug: str = ""
    values: dict = field(default_factory=dict)  # format, status, is_public
    themes: list | None = None  # None: the file says nothing, keep them
    partners: list | None = None
    changed: bool = False


def _moment(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


@register
class ActionImporter(Importer):
    key = "events.actions"
    title = gettext_lazy("Actions and their sessions")
    help = gettext_lazy(
        "One line per session. Lines with the same action title in the same year make one "
        "action; the same title another year is a new action. A session already imported "
        "(same action, same start) is updated. Empty cells keep what the records have. "
        "Imported actions are published and public unless the « Status » column says "
        "otherwise."
    )
    model = Action
    order = 60
    columns = (
        Column("title", gettext_lazy("Action"), read.text(200), required=True,
               aliases=("titre", "titre de l'action", "intitulé", "intitulé de l'action",
                        "démarche", "nom de l'action"),
               help=gettext_lazy("The action's title, the same on each line of its sessions.")),
        Column("format", gettext_lazy("Format"), FORMAT, allowed=FORMAT.allowed,
               aliases=("type d'action", "type"),
               help=gettext_lazy("Required for a new action: breakfast, working group…")),
        Column("themes", gettext_lazy("Themes"), read.themes, allowed=read.themes_allowed,
               aliases=("thème", "thématique"),
               help=gettext_lazy("Separated by « ; ».")),
        Column("date", gettext_lazy("Date"), read.date_value, required=True,
               aliases=("date de la séance", "jour"), help=gettext_lazy("dd/mm/yyyy.")),
        Column("start", gettext_lazy("Start time"), read.time_value, required=True,
               aliases=("début", "heure de début", "de"), help=gettext_lazy("14:30 or 14 h 30.")),
        Column("end", gettext_lazy("End time"), read.time_value, required=True,
               aliases=("fin", "heure de fin", "à"), help=gettext_lazy("After the start.")),
        Column("session_title", gettext_lazy("Session title"), read.text(200),
               aliases=("titre de la séance", "séance"),
               help=gettext_lazy("When the sessions of an action have their own title.")),
        Column("venue", gettext_lazy("Venue"), read.text(200), aliases=("lieu", "salle")),
        Column("address", gettext_lazy("Address"), read.text(300), aliases=("adresse",)),
        Column("commune", gettext_lazy("Commune"), read.commune, aliases=("ville",),
               help=gettext_lazy("Its name or INSEE code; « Cergy (95) » when names repeat.")),
        Column("capacity", gettext_lazy("Capacity"), read.integer(maximum=100_000),
               aliases=("places", "jauge", "nombre de places"),
               help=gettext_lazy("Seats; empty: no limit.")),
        Column("half_days", gettext_lazy("Half-days"), read.integer(minimum=1, maximum=20),
               aliases=("demi-journées", "nombre de demi-journées", "nb demi-journées"),
               help=gettext_lazy(
                   "Empty: computed from the times (up to five hours: 1, longer: 2)."
               )),
        Column("partners", gettext_lazy("Partners"), partners,
               aliases=("partenaire", "coorganisateur", "en partenariat avec"),
               help=gettext_lazy(
                   "Organisations of the directory, separated by « ; »; an unknown name is "
                   "refused: add it to the directory first."
               )),
        Column("online_url", gettext_lazy("Online link"), read.url,
               aliases=("lien", "lien visio", "lien en ligne", "url"),
               help=gettext_lazy("For an online session.")),
        Column("status", gettext_lazy("Status"), STATUS, allowed=STATUS.allowed,
               aliases=("statut", "état"), help=gettext_lazy("Empty: published.")),
        Column("is_public", gettext_lazy("Public"), read.yes_no, allowed=read.yes_no_allowed,
               aliases=("publique", "visible", "agenda public"),
               help=gettext_lazy("Shown in the public agenda; empty: yes.")),
    )  # fmt: skip

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.lookups = EventLookups()
        self.plans: dict[tuple[str, int], ActionPlan] = {}
        self.wanted: dict[int, tuple[datetime, dict]] = {}  # line: (start, session's fields)

    def row_key(self, row: Row):
        values = row.values
        return (loose_key(values["title"]), values["date"], values["start"])

    # Checking -------------------------------------------------------------------------

    def check(self, rows: list[Row]) -> None:
        groups: dict[tuple[str, int], list[Row]] = {}
        for row in rows:
            groups.setdefault((loose_key(row.values["title"]), row.values["date"].year), []).append(
                row
            )
        found = self._actions_find(groups)
        sessions = {
            (session.action_id, session.starts_at): session
            for session in Session.objects.filter(action__in=found.values())
        }
        self.plans = {}
        slugs = self._slugs_taken([key for key in groups if key not in found], groups)
        for key, group in groups.items():
            plan = ActionPlan(key=key, title=group[0].values["title"], action=found.get(key))
            self._action_check(plan, group)
            if plan.action is None:
                plan.slug = self._slug_new(plan, slugs)
            self.plans[key] = plan
            for row in group:
                self._session_check(row, plan, sessions)

    def _actions_find(self, groups) -> dict[tuple[str, int], Action]:
        """The actions of the file already known: same loose title, a session that year
        (or no session at all yet); the oldest when several match."""
        titles = {key[0] for key in groups}
        candidates = {
            pk: loose_key(title)
            for pk, title in Action.objects.order_by("pk").values_list("pk", "title")
        }
        candidates = {pk: title for pk, title in candidates.items() if title in titles}
        years: dict[int, set[int]] = {pk: set() for pk in candidates}
        for action_id, year in (
            Session.objects.filter(action_id__in=candidates)
            .annotate(year=ExtractYear("starts_at"))
            .values_list("action_id", "year")
            .distinct()
        ):
            years[action_id].add(year)
        matched: dict[tuple[str, int], int] = {}
        for pk, title in candidates.items():
            for year in years[pk]:
                matched.setdefault((title, year), pk)
        for key in groups:
            if key not in matched:
                idle = next(
                    (pk for pk, t in candidates.items() if t == key[0] and not years[pk]), None
                )
                if idle is not None and idle not in matched.values():
                    matched[key] = idle
        actions = Action.objects.prefetch_related("themes", "partners").in_bulk(
            [pk for key, pk in matched.items() if key in groups]
        )
        return {key: actions[pk] for key, pk in matched.items() if key in groups}

    def _action_check(self, plan: ActionPlan, group: list[Row]) -> None:
        """What the lines say of their action; lines that contradict the first are wrong."""
        first_line: dict[str, int] = {}
        for row in group:
            for name in ("format", "status", "is_public"):
                value = row.values[name]
                if value is None:
                    continue
                if name in plan.values and plan.values[name] != value:
                    row.error(
                        _("« %(column)s » differs from line %(line)s, for the same action.")
                        % {"column": self.column_label(name), "line": first_line[name]}
                    )
                    continue
                plan.values[name] = value
                first_line.setdefault(name, row.line)
            for name in ("themes", "partners"):
                if row.values[name]:
                    current = getattr(plan, name) or []
                    extra = [item for item in row.values[name] if item not in current]
                    setattr(plan, name, current + extra)
        if plan.themes is not None:
            plan.themes = [theme.pk for theme in plan.themes]
        action = plan.action
        if action is None:
            if "format" not in plan.values:
                for row in group:
                    row.error(
                        _("« %(column)s » is required for a new action.")
                        % {"column": self.column_label("format")}
                    )
            plan.values.setdefault("status", ActionStatus.PUBLISHED)
            plan.values.setdefault("is_public", True)
            plan.changed = True
            return
        plan.changed = any(getattr(action, name) != value for name, value in plan.values.items())
        if plan.themes is not None:
            plan.changed |= set(plan.themes) != {theme.pk for theme in action.themes.all()}
        if plan.partners is not None:
            plan.changed |= set(plan.partners) != {org.pk for org in action.partners.all()}

    def _slugs_taken(self, new_keys, groups) -> set[str]:
        bases = {self._slug_base(groups[key][0].values["title"], key[1]) for key in new_keys}
        if not bases:
            return set()
        query = Q()
        for base in bases:
            query |= Q(slug__startswith=base)
        return set(Action.objects.filter(query).values_list("slug", flat=True))

    @staticmethod
    def _slug_base(title: str, year: int) -> str:
        return slugify(f"{title} {year}")[:190].strip("-") or f"action-{year}"

    def _slug_new(self, plan: ActionPlan, taken: set[str]) -> str:
        """The title and the year; numbered when another action has it."""
        base = self._slug_base(plan.title, plan.key[1])
        slug, number = base, 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        taken.add(slug)
        return slug

    def _session_check(self, row: Row, plan: ActionPlan, sessions) -> None:
        values = row.values
        starts_at = _moment(values["date"], values["start"])
        ends_at = _moment(values["date"], values["end"])
        row.label = f"{plan.title} — {values['date']:%d/%m/%Y} {format_time(values['start'])}"
        if ends_at <= starts_at:
            row.error(_("A session must end after it starts."))
            return
        session = sessions.get((plan.action.pk, starts_at)) if plan.action else None
        wanted = self._session_values(row, ends_at, session)
        row.record = session
        self.wanted[row.line] = (starts_at, wanted)
        if session is None:
            row.change = CREATE
        elif plan.changed or any(getattr(session, k) != v for k, v in wanted.items()):
            row.change = UPDATE
        else:
            row.change = UNCHANGED

    @staticmethod
    def _session_values(row: Row, ends_at: datetime, session: Session | None) -> dict:
        """The session's fields the line sets: empty cells keep the session's values."""
        values = row.values
        given = {
            "title": values["session_title"],
            "ends_at": ends_at,
            "half_days_override": values["half_days"],
            "venue": values["venue"],
            "address": values["address"],
            "commune": values["commune"],
            "capacity": values["capacity"],
            "online_url": values["online_url"],
            "is_online": True if values["online_url"] else None,
        }
        if session is None:
            blank = {"title": "", "venue": "", "address": "", "online_url": "", "is_online": False}
            return {
                name: blank.get(name) if value is None else value for name, value in given.items()
            }
        return {name: value for name, value in given.items() if value is not None}

    # Saving ---------------------------------------------------------------------------

    def save(self, rows: list[Row]) -> None:
        keys = {(loose_key(row.values["title"]), row.values["date"].year) for row in rows}
        plans = [self.plans[key] for key in keys]
        actions = self._actions_save(plans)
        created, updated = [], []
        for row in rows:
            if row.change == UNCHANGED:
                continue
            plan = self.plans[(loose_key(row.values["title"]), row.values["date"].year)]
            starts_at, wanted = self.wanted[row.line]
            session = row.record or Session(action=plan.action, starts_at=starts_at)
            for name, value in wanted.items():
                setattr(session, name, value)
            (created if session.pk is None else updated).append(session)
        Session.objects.bulk_create(created, batch_size=BATCH)
        Session.objects.bulk_update(updated, SESSION_FIELDS, batch_size=BATCH)
        self.progress("saving", len(rows), len(rows))
        audit_log_many(actor=self.actor, action="action.imported", entries=actions)
        page_cache_invalidate()

    def _actions_save(self, plans: list[ActionPlan]) -> list[tuple[Action, dict]]:
        """Create and update the actions, their themes and partners; what to audit."""
        audited = []
        new = [plan for plan in plans if plan.action is None]
        for plan in new:
            plan.action = Action(title=plan.title, slug=plan.slug, **plan.values)
        Action.objects.bulk_create([plan.action for plan in new], batch_size=BATCH)
        changed = [plan for plan in plans if plan.changed and plan not in new]
        for plan in changed:
            before = plan.action.status
            for name, value in plan.values.items():
                setattr(plan.action, name, value)
            plan.action.updated_at = timezone.now()
            audited.append((plan.action, {"status": [before, plan.action.status]}))
        Action.objects.bulk_update(
            [plan.action for plan in changed], ["format", "status", "is_public", "updated_at"]
        )
        audited += [(plan.action, {"status": ["", plan.action.status]}) for plan in new]
        for relation, column in ((Action.themes, "theme_id"), (Action.partners, "organisation_id")):
            through = relation.through
            name = "themes" if column == "theme_id" else "partners"
            given = [plan for plan in plans if getattr(plan, name) is not None]
            through.objects.filter(action_id__in=[plan.action.pk for plan in given]).delete()
            through.objects.bulk_create(
                [
                    through(action_id=plan.action.pk, **{column: pk})
                    for plan in given
                    for pk in getattr(plan, name)
                ]
            )
        return audited
