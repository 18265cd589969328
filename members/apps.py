from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.core.audit import BOOLEAN, NUMBER, REFERENCE, AuditField


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members and dues")
    # The models public pages show: a change to one drops the page cache (portal.core.pagecache).
    # Not Person: the members page names organisations only, and counts individuals.
    public_models = ("Organisation", "DuesRule", "Membership")
    # Its public pages rendered into the page cache again after each change.
    warm_pages = ("members:public_list",)
    # The audit trail (portal.core.audit): what each action is called, and the keys of
    # its changes that are no field of the audited model.
    audit_actions = {
        "invoice.issued": _("Invoice issued"),
        "invoice.cancelled": _("Invoice cancelled by a credit note"),
        "invoice.sent": _("Dues call mailed"),
        "invoice.reminder_sent": _("Reminder sent"),
        "payment.recorded": _("Payment recorded"),
        "membership.created": _("Membership created"),
        "membership.changed": _("Membership changed"),
        "membership.cancelled": _("Membership cancelled"),
        "membership.imported": _("Membership imported"),
        "membership_request.received": _("Membership request received"),
        "membership_request.accepted": _("Membership request accepted"),
        "membership_request.rejected": _("Membership request rejected"),
        "organisation.created": _("Organisation created"),
        "person.created": _("Person created"),
        "person.updated": _("Person changed"),
        "person.invited": _("Person invited to the member space"),
        "person.account_linked": _("Account linked to the person"),
        "dues_campaign.started": _("Dues campaign started"),
        "dues_rule.imported": _("Dues rule imported"),
    }
    audit_fields = {
        "credit_note": AuditField(_("credit note")),
        "receipt": AuditField(_("receipt")),
        "method": AuditField(of="members.Payment.method"),
        "paid_on": AuditField(of="members.Payment.paid_on"),
        "manual": AuditField(_("sent by hand"), kind=BOOLEAN),
        "days_after_due": AuditField(_("days after the due date"), kind=NUMBER),
        "population": AuditField(of="members.Membership.population_used"),
        "rate": AuditField(of="members.Membership.rate_used"),
        "membership.status": AuditField(of="members.Membership.recorded_status"),
        "membershiprequest.organisation": AuditField(_("organisation")),
        "membershiprequest.person": AuditField(_("person"), kind=REFERENCE, model="members.Person"),
        "membership_request": AuditField(
            _("membership request"), kind=REFERENCE, model="members.MembershipRequest"
        ),
        "member_contact": AuditField(of="members.Person.is_member_contact"),
        "created": AuditField(_("new in the directory"), kind=BOOLEAN),
        "attached": AuditField(_("attached to the organisation"), kind=BOOLEAN),
    }

    def ready(self) -> None:
        from members.models import CreditNote, Invoice, Payment
        from members.selectors.space import space_document_readable
        from portal.core.files import file_reader_register

        # A member opens their own invoices, credit notes and receipts, as in Mon espace.
        for model in (Invoice, CreditNote, Payment):
            file_reader_register(model, space_document_readable)
