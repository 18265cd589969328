from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "portal.core"
    label = "core"
    verbose_name = _("Site and accounts")

    def ready(self) -> None:
        from portal.core.roles import sync_group_permissions

        post_migrate.connect(sync_group_permissions, dispatch_uid="core.sync_group_permissions")
