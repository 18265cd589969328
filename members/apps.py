from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members and dues")

    def ready(self) -> None:
        from members.models import CreditNote, Invoice, Payment
        from members.selectors_space import space_document_readable
        from portal.core.files import file_reader_register

        # A member opens their own invoices, credit notes and receipts, as in Mon espace.
        for model in (Invoice, CreditNote, Payment):
            file_reader_register(model, space_document_readable)
