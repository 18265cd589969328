from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationsConfig(AppConfig):
    name = "publications"
    verbose_name = _("Publications")
    # The models public pages show: a change to one drops the page cache (portal.core.pagecache).
    public_models = ("Publication",)
    # Its public pages rendered into the page cache again after each change.
    warm_pages = ("publications:list",)
    # The audit trail (portal.core.audit): what each action is called.
    audit_actions = {
        "publication.created": _("Publication created"),
        "publication.status": _("Publication status changed"),
        "publication.published": _("Publication put online"),
        "publication.scheduled": _("Publication scheduled"),
        "publication.withdrawn": _("Publication withdrawn"),
    }

    def ready(self) -> None:
        from portal.core.files import public_image_register
        from publications.models import Publication

        # A cover and its thumbnail show once the publication is online; before, only to the
        # team (the back office and its preview).
        for field in ("cover", "thumbnail"):
            public_image_register(Publication, field=field, public=Publication.objects.published)
