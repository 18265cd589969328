"""`manage.py retention [--dry-run]`: apply the retention rules now, or show what would go."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.core.formats import format_number
from portal.privacy.retention import (
    FAILED,
    RULE_DELIVERIES,
    RULE_PENDING,
    RULE_PEOPLE,
    RULES,
    RetentionBusy,
    retention_apply,
    retention_cutoffs,
    retention_dry_run,
)

# Ids listed at verbosity 2 and more, at most (the rest is counted).
IDS_SHOWN = 200


def _day(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATE_FORMAT")


def _ids(ids: tuple[int, ...]) -> str:
    shown = ", ".join(str(pk) for pk in ids[:IDS_SHOWN])
    more = len(ids) - IDS_SHOWN
    return f"{shown} (+{format_number(more)})" if more > 0 else shown


class Command(BaseCommand):
    help = (
        "Apply the retention rules (RETENTION_* settings): erase inactive people, delete "
        "unconfirmed subscriptions and old newsletter deliveries. --dry-run changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would go; change nothing"
        )

    def handle(self, *args, **options) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            if options["dry_run"]:
                self._dry_run(verbose=options["verbosity"] >= 2)
            else:
                self._apply()

    def _rule_titles(self, now) -> dict[str, str]:
        titles = {
            RULE_PEOPLE: _("People with no activity since %(day)s"),
            RULE_PENDING: _("Newsletter subscriptions asked for before %(day)s, never confirmed"),
            RULE_DELIVERIES: _("Newsletter delivery rows from before %(day)s"),
        }
        cutoffs = retention_cutoffs(now=now)
        return {rule: titles[rule] % {"day": _day(cutoffs[rule])} for rule in RULES}

    def _dry_run(self, *, verbose: bool) -> None:
        plan = retention_dry_run()
        self.stdout.write(_("Dry run: nothing is removed."))
        titles = self._rule_titles(plan.now)
        counts = plan.counts()
        ids = {RULE_PEOPLE: plan.people, RULE_PENDING: plan.pending_subscriptions}
        for rule, title in titles.items():
            line = ngettext(
                "%(title)s: %(count)s would go.", "%(title)s: %(count)s would go.", counts[rule]
            ) % {"title": title, "count": format_number(counts[rule])}
            self.stdout.write(line)
            if verbose and ids.get(rule):
                self.stdout.write("  " + _("ids: %(ids)s") % {"ids": _ids(ids[rule])})

    def _apply(self) -> None:
        now = timezone.now()
        try:
            run = retention_apply(now=now)
        except RetentionBusy:
            raise CommandError(_("Another retention run is going on; try again later.")) from None
        titles = self._rule_titles(now)
        for rule, title in titles.items():
            count = run.counts.get(rule, 0)
            line = ngettext("%(title)s: %(count)s went.", "%(title)s: %(count)s went.", count) % {
                "title": title,
                "count": format_number(count),
            }
            self.stdout.write(line)
        failed = run.counts.get(FAILED, 0)
        if failed:
            self.stderr.write(
                ngettext(
                    "%(count)s erasure failed (see the log); the next run tries it again.",
                    "%(count)s erasures failed (see the log); the next run tries them again.",
                    failed,
                )
                % {"count": format_number(failed)}
            )
        self.stdout.write(self.style.SUCCESS(_("Retention run %(pk)s done.") % {"pk": run.pk}))
