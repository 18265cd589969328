"""`manage.py restore FILE [--force]`: bring a backup back into an empty installation."""

from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import formats, timezone, translation
from django.utils.translation import ngettext

from portal.core.backup import BackupError, backup_restore


def _when(moment: str) -> str:
    return formats.date_format(
        timezone.localtime(datetime.fromisoformat(moment)), "SHORT_DATETIME_FORMAT"
    )


class Command(BaseCommand):
    help = (
        "Restore a file written by `backup` into this installation's database (empty) and "
        "MEDIA_ROOT (empty); the file is checked first. --force replaces what they hold."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="a file written by `manage.py backup`")
        parser.add_argument(
            "--force", action="store_true", help="replace what the database and MEDIA_ROOT hold"
        )

    def handle(self, *args, file: Path, force: bool, **options) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            try:
                manifest = backup_restore(path=file, replace=force)
            except BackupError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(
                self.style.SUCCESS(
                    ngettext(
                        "Restored the backup of %(date)s (%(count)s file). If this version "
                        "of the portal is newer, run `manage.py migrate`.",
                        "Restored the backup of %(date)s (%(count)s files). If this version "
                        "of the portal is newer, run `manage.py migrate`.",
                        len(manifest["files"]) - 1,
                    )
                    % {"date": _when(manifest["created_at"]), "count": len(manifest["files"]) - 1}
                )
            )
