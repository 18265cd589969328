from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "portal.reports"
    label = "reports"
    verbose_name = _("Annual report")
    # The audit trail (portal.core.audit): what each action is called.
    audit_actions = {"report_build_requested": _("Annual report PDF requested")}
