from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.core.audit import FIELDS, LIST, NUMBER, YEAR, AuditField


class CoreConfig(AppConfig):
    name = "portal.core"
    label = "core"
    verbose_name = _("Site and accounts")
    # The models public pages show: a change to one drops the page cache (portal.core.pagecache).
    public_models = ("SiteSettings", "Department", "Epci", "Commune", "Theme")
    # The audit trail (portal.core.audit): core's actions, and the keys every app logs.
    audit_actions = {
        "import.confirmed": _("Import confirmed"),
        "import.done": _("Import done"),
        "mail.retried": _("Email sent again"),
    }
    audit_fields = {
        "reason": AuditField(_("reason")),
        "note": AuditField(_("note")),
        "error": AuditField(_("error")),
        "recipients": AuditField(_("recipients"), kind=LIST),
        "to": AuditField(_("recipients"), kind=LIST),
        "fields": AuditField(_("fields changed"), kind=FIELDS),
        "year": AuditField(_("year"), kind=YEAR),
        "source": AuditField(
            pgettext_lazy("audit", "source"), values={"import": _("spreadsheet import")}
        ),
        "importjob.kind": AuditField(
            _("kind"), display="portal.core.sheets.registry.importer_title"
        ),
        "importjob.create": AuditField(_("new lines"), kind=NUMBER),
        "importjob.update": AuditField(_("updated lines"), kind=NUMBER),
        "importjob.unchanged": AuditField(_("unchanged lines"), kind=NUMBER),
        "importjob.error": AuditField(_("lines in error"), kind=NUMBER),
    }

    def ready(self) -> None:
        from portal.core import pagecache
        from portal.core.admin.base import admin_numbers_install
        from portal.core.roles import sync_group_permissions

        admin_numbers_install()  # « 20 980 » in the back office's lists and read-only fields

        post_migrate.connect(sync_group_permissions, dispatch_uid="core.sync_group_permissions")
        # The anonymous page cache drops its pages when a model they show changes (the
        # apps' public_models).
        pagecache.install()
