"""`manage.py backup [--output FILE]`: the database and the uploaded files in one file."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.core.backup import BackupError, backup_name, backup_prune, backup_write


class Command(BaseCommand):
    help = (
        "Write the database (pg_dump) and MEDIA_ROOT to one tar file: to --output, or to "
        "BACKUP_DIR keeping the newest BACKUP_KEEP backups there. `restore` brings it back."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", type=Path, help="file to write (BACKUP_DIR unset)")

    def handle(self, *args, output: Path | None, **options) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            path = output or Path(settings.BACKUP_DIR) / backup_name()
            try:
                manifest = backup_write(path=path)
            except BackupError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(
                self.style.SUCCESS(
                    ngettext(
                        "Backup written: %(path)s (%(size)s, %(count)s file).",
                        "Backup written: %(path)s (%(size)s, %(count)s files).",
                        len(manifest["files"]) - 1,
                    )
                    % {
                        "path": path,
                        "size": filesizeformat(path.stat().st_size),
                        "count": len(manifest["files"]) - 1,
                    }
                )
            )
            if output is None:
                for old in backup_prune(directory=path.parent, keep=settings.BACKUP_KEEP):
                    self.stdout.write(_("Removed the older backup %(path)s.") % {"path": old})
