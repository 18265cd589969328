"""Validators for French identifiers, with French messages (python-stdnum does the maths)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import iban
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret


def validate_siret(value: str) -> None:
    try:
        siret.validate(value)
    except StdnumError:
        raise ValidationError(
            _("%(value)s is not a valid SIRET number (14 digits with a valid checksum)."),
            params={"value": value},
            code="invalid_siret",
        ) from None


def validate_iban(value: str) -> None:
    try:
        iban.validate(value)
    except StdnumError:
        raise ValidationError(
            _("%(value)s is not a valid IBAN."), params={"value": value}, code="invalid_iban"
        ) from None
