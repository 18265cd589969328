from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.core.audit import LIST, NUMBER, AuditAction, AuditField


class InfodocConfig(AppConfig):
    name = "infodoc"
    verbose_name = _("Info-doc service")
    # The models public pages show: a change to one drops the page cache (portal.core.pagecache).
    public_models = ("InfoRequest", "Resource")
    # Its public pages rendered into the page cache again after each change.
    warm_pages = ("infodoc:index", "infodoc:qa_list")
    # The audit trail (portal.core.audit): what each action is called, and the keys of
    # its changes that are no field of the audited model.
    audit_actions = {
        "info_request.created": _("Request recorded"),
        "info_request.changed": _("Request changed"),
        "info_request.status": AuditAction(_("Request status changed"), subject="status"),
        "info_request.assigned": _("Request assigned"),
        "info_request.answer_sent": _("Answer sent"),
        "info_request.published": _("Question and answer published"),
        "info_request.unpublished": _("Question and answer taken offline"),
        "info_request.imported": _("Request imported"),
        "loan.created": _("Loan recorded"),
        "loan.returned": _("Loan returned"),
        "loan.reminded": _("Loan reminder sent"),
    }
    audit_fields = {
        "attachments": AuditField(_("attachments"), kind=LIST),
        "redacted": AuditField(_("passages hidden"), kind=NUMBER),
    }
