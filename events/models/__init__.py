from events.models.actions import (
    Action,
    ActionFormat,
    ActionStatus,
    Mission,
    RegistrationMode,
    Session,
)
from events.models.certificates import CertificateMailing, CertificateMailingStatus
from events.models.participation import (
    Attendance,
    Evaluation,
    Headcount,
    Registration,
    RegistrationSource,
    RegistrationStatus,
)

__all__ = [
    "Action",
    "ActionFormat",
    "ActionStatus",
    "Attendance",
    "CertificateMailing",
    "CertificateMailingStatus",
    "Evaluation",
    "Headcount",
    "Mission",
    "Registration",
    "RegistrationMode",
    "RegistrationSource",
    "RegistrationStatus",
    "Session",
]
