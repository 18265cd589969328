from portal.core.models.accounts import User, UserManager
from portal.core.models.audit import AuditEntry
from portal.core.models.consent import ConsentPurpose, ConsentRecord
from portal.core.models.site import SiteSettings
from portal.core.models.territories import Commune, Department, Epci
from portal.core.models.themes import Theme

__all__ = [
    "AuditEntry",
    "Commune",
    "ConsentPurpose",
    "ConsentRecord",
    "Department",
    "Epci",
    "SiteSettings",
    "Theme",
    "User",
    "UserManager",
]
