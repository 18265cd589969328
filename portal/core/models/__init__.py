from portal.core.models.accounts import User, UserManager
from portal.core.models.audit import AuditEntry
from portal.core.models.consent import ConsentPurpose, ConsentRecord
from portal.core.models.erasures import ErasedAddress
from portal.core.models.imports import ImportJob, ImportJobStatus
from portal.core.models.mail import OutgoingMail, OutgoingMailStatus
from portal.core.models.site import AccessibilityStatus, SiteSettings
from portal.core.models.territories import Commune, Department, Epci
from portal.core.models.themes import Theme

__all__ = [
    "AccessibilityStatus",
    "AuditEntry",
    "Commune",
    "ConsentPurpose",
    "ConsentRecord",
    "Department",
    "Epci",
    "ErasedAddress",
    "ImportJob",
    "ImportJobStatus",
    "OutgoingMail",
    "OutgoingMailStatus",
    "SiteSettings",
    "Theme",
    "User",
    "UserManager",
]
