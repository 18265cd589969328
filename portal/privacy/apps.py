from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.core.audit import COUNTS, AuditField


class PrivacyConfig(AppConfig):
    name = "portal.privacy"
    label = "privacy"
    verbose_name = _("Personal data")
    # The audit trail (portal.core.audit): what each action is called, and the keys of
    # its changes that are no field of the audited model.
    audit_actions = {
        "privacy.erasure_requested": _("Erasure requested"),
        "privacy.erasure_cancelled": _("Erasure request cancelled"),
        "privacy.subject_erased": _("Personal data erased"),
        "privacy.subject_exported": _("Personal data exported"),
    }
    audit_fields = {
        "email_sha256": AuditField(of="privacy.ErasureRequest.email_sha256"),
        "counts": AuditField(_("rows changed"), kind=COUNTS),
        "format": AuditField(_("format"), values={"json": "JSON", "pdf": "PDF"}),
    }
