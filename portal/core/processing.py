"""The register of processing activities (RGPD art. 30), shown on the privacy page.

One place in the code: each processing the portal does is declared here. The
retention periods are read from the RETENTION_* settings when the page is shown,
so the page always says what portal/privacy/retention.py applies.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Processing:
    name: str
    purpose: str
    legal_basis: str
    data: str
    retention: str


def _later(build) -> str:
    """A text built (translated, with the current settings) only when it is shown."""
    return lazy(build, str)()


def _inactive_years() -> str:
    years = settings.RETENTION_INACTIVE_PEOPLE_YEARS
    return ngettext(
        "%(years)d year after the person's last activity",
        "%(years)d years after the person's last activity",
        years,
    ) % {"years": years}


def _accounts_retention() -> str:
    return gettext(
        "As long as the person is active; then erased or anonymised with their record, "
        "%(delay)s (last sign-in included). Staff accounts: while they work here."
    ) % {"delay": _inactive_years()}


def _members_retention() -> str:
    return gettext(
        "Contacts: %(delay)s (membership, registration, request or subscription). Invoices, "
        "credit notes and receipts: 10 years (accounting law)."
    ) % {"delay": _inactive_years()}


def _events_retention() -> str:
    return gettext(
        "Registrations and attendance: %(delay)s, then anonymised; the participation "
        "counts are kept without names."
    ) % {"delay": _inactive_years()}


def _infodoc_retention() -> str:
    return gettext("%(delay)s, then anonymised; the number of requests is kept without names.") % {
        "delay": _inactive_years()
    }


def _newsletter_retention() -> str:
    days = settings.RETENTION_PENDING_SUBSCRIPTION_DAYS
    years = settings.RETENTION_DELIVERY_YEARS
    pending = ngettext(
        "subscriptions never confirmed: %(days)d day",
        "subscriptions never confirmed: %(days)d days",
        days,
    ) % {"days": days}
    deliveries = ngettext(
        "delivery history: %(years)d year", "delivery history: %(years)d years", years
    ) % {"years": years}
    return gettext(
        "Until unsubscription (the address is then kept, marked unsubscribed, so that "
        "nothing is sent to it again); %(pending)s; %(deliveries)s."
    ) % {
        "pending": pending,
        "deliveries": deliveries,
    }


def _consents_retention() -> str:
    return gettext(
        "As long as the data the consent covers; the address and IP address are then "
        "removed, the wording and date kept."
    )


def _mail_retention() -> str:
    days = settings.MAIL_KEEP_DAYS
    return ngettext(
        "%(days)d day after it was sent or failed; removed with the person when erased.",
        "%(days)d days after it was sent or failed; removed with the person when erased.",
        days,
    ) % {"days": days}


REGISTER: tuple[Processing, ...] = (
    Processing(
        name=_("User accounts"),
        purpose=_("Signing in to the member space and the back office."),
        legal_basis=_("Performance of the membership agreement; legitimate interest for staff."),
        data=_("Email address, name, password (hashed), sign-in history, groups."),
        retention=_later(_accounts_retention),
    ),
    Processing(
        name=_("Members and dues"),
        purpose=_("Managing requests to join, memberships, dues calls, invoices and payments."),
        legal_basis=_("Performance of the membership agreement; legal accounting obligations."),
        data=_("Contact details of member organisations and their contacts, amounts, payments."),
        retention=_later(_members_retention),
    ),
    Processing(
        name=_("Events and attendance"),
        purpose=_("Registrations, sign-in sheets, evaluations and participation statistics."),
        legal_basis=_("Consent given when registering; legitimate interest for statistics."),
        data=_("Name, email, organisation, job, département, type of participant, attendance."),
        retention=_later(_events_retention),
    ),
    Processing(
        name=_("Info-doc requests"),
        purpose=_("Answering information requests, lending documents, reporting on the service."),
        legal_basis=_("Consent given with the request."),
        data=_("Name, email, phone, organisation, territory, question and answer, loans."),
        retention=_later(_infodoc_retention),
    ),
    Processing(
        name=_("Newsletter Résonances"),
        purpose=_("Sending the monthly newsletter to subscribers."),
        legal_basis=_("Consent (double opt-in), withdrawn at any time by the unsubscribe link."),
        data=_("Email address, name, organisation, département, delivery history, bounces."),
        retention=_later(_newsletter_retention),
    ),
    Processing(
        name=_("Consent records"),
        purpose=_("Being able to show what each person agreed to, when and on which form."),
        legal_basis=_("Legal obligation (RGPD art. 7.1)."),
        data=_("Email address, the wording agreed to, the form, the date, the IP address."),
        retention=_later(_consents_retention),
    ),
    Processing(
        name=_("Transactional emails"),
        purpose=_(
            "Sending the messages an action calls for (confirmations, acknowledgements, "
            "answers, invoices, reminders, invitations) and trying again when the mail "
            "server is out of reach."
        ),
        legal_basis=_("The processing the message belongs to (above)."),
        data=_("Recipient's address, the message as sent, its status and errors."),
        retention=_later(_mail_retention),
    ),
    Processing(
        name=_("Audit trail"),
        purpose=_("Tracing who changed money and statuses, and when."),
        legal_basis=_("Legitimate interest; legal accounting obligations."),
        data=_("The staff member, the date, the record changed and what changed."),
        retention=_("As long as the record; a person's details are removed when erased."),
    ),
    Processing(
        name=_("Retention and rights requests"),
        purpose=_(
            "Erasing or anonymising data kept longer than needed, every month; answering "
            "access and erasure requests."
        ),
        legal_basis=_("Legal obligation (RGPD art. 5.1.e, 15 and 17)."),
        data=_("Dates of last activity; what each run removed (numbers only)."),
        retention=_("Run reports and erasure proofs, without the person's details: kept."),
    ),
    Processing(
        name=_("Annual report statistics"),
        purpose=_("Reporting the centre's activity to its members and funders."),
        legal_basis=_("Legitimate interest (the centre's public-interest mission)."),
        data=_("Counts by département, type of actor, theme and month: no names."),
        retention=_("Kept: the figures are anonymous."),
    ),
)
