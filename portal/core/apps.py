from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "portal.core"
    label = "core"
    verbose_name = _("Site and accounts")

    def ready(self) -> None:
        from portal.core.pagecache import model_changed
        from portal.core.roles import sync_group_permissions

        post_migrate.connect(sync_group_permissions, dispatch_uid="core.sync_group_permissions")
        # The anonymous page cache drops its pages when a model they show changes.
        post_save.connect(model_changed, dispatch_uid="core.pagecache.save")
        post_delete.connect(model_changed, dispatch_uid="core.pagecache.delete")
        m2m_changed.connect(model_changed, dispatch_uid="core.pagecache.m2m")
