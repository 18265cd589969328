"""The register of processing activities (RGPD art. 30), shown on the privacy page.

One place in the code: each app's processing is declared here when the app
starts collecting personal data.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Processing:
    name: str
    purpose: str
    legal_basis: str
    data: str
    retention: str


REGISTER: tuple[Processing, ...] = (
    Processing(
        name=_("User accounts"),
        purpose=_("Signing in to the member space and the back office."),
        legal_basis=_("Performance of the membership agreement; legitimate interest for staff."),
        data=_("Email address, name, password (hashed), sign-in history."),
        retention=_("As long as the account is active, then 3 years."),
    ),
    Processing(
        name=_("Members and dues"),
        purpose=_("Managing memberships, dues calls, invoices and payments."),
        legal_basis=_("Performance of the membership agreement; legal accounting obligations."),
        data=_("Contact details of member organisations and their contacts, amounts, payments."),
        retention=_("Accounting documents: 10 years. Contacts: 3 years after the last membership."),
    ),
    Processing(
        name=_("Events and attendance"),
        purpose=_("Registrations, sign-in sheets and participation statistics."),
        legal_basis=_("Consent given when registering; legitimate interest for statistics."),
        data=_("Name, email, organisation, job, département, type of participant, attendance."),
        retention=_("3 years after the last participation; statistics are kept anonymised."),
    ),
    Processing(
        name=_("Info-doc requests"),
        purpose=_("Answering information requests and reporting on the service."),
        legal_basis=_("Consent given with the request."),
        data=_("Name, email, organisation, question and answer."),
        retention=_("3 years after the answer."),
    ),
    Processing(
        name=_("Newsletter Résonances"),
        purpose=_("Sending the monthly newsletter to subscribers."),
        legal_basis=_("Consent (double opt-in), withdrawn at any time by the unsubscribe link."),
        data=_("Email address, name, organisation, département, delivery history."),
        retention=_("Until unsubscription; delivery history 2 years."),
    ),
)
