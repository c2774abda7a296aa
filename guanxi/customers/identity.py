"""Validation and normalisation of identity data: resident ID numbers, unified social credit
codes, phones, emails."""

from dataclasses import dataclass
from datetime import date

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

DEFAULT_REGION = "CN"


@dataclass(frozen=True)
class ResidentId:
    """A valid PRC resident ID number and what it tells about its holder."""

    number: str
    birthday: date
    gender: str


def parse_resident_id(raw: str, field: str = "id_number") -> ResidentId:
    """Validate an 18-digit resident ID (check digit, birth date) and read birthday and gender."""
    value = raw.strip().upper()
    try:
        number = ric.validate(value)
    except stdnum_errors.InvalidChecksum as exc:
        raise ValidationError({field: _("The resident ID check digit is wrong.")}) from exc
    except stdnum_errors.InvalidComponent as exc:
        raise ValidationError(
            {field: _("The resident ID contains an impossible birth date or region.")}
        ) from exc
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(
            {field: _("A resident ID number has 17 digits followed by a digit or X.")}
        ) from exc
    if len(number) != 18:
        raise ValidationError({field: _("Only 18-digit resident ID numbers are accepted.")})
    birthday = ric.get_birth_date(number)
    if birthday > timezone.localdate():
        raise ValidationError({field: _("The resident ID birth date is in the future.")})
    gender = "male" if int(number[16]) % 2 else "female"
    return ResidentId(number=number, birthday=birthday, gender=gender)


def normalise_uscc(raw: str, field: str = "uscc") -> str:
    """A valid unified social credit code (统一社会信用代码), upper-case, without spaces."""
    try:
        return uscc.validate(raw)
    except stdnum_errors.InvalidChecksum as exc:
        message = _("The unified social credit code check digit is wrong.")
        raise ValidationError({field: message}) from exc
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(
            {
                field: _(
                    "A unified social credit code has 18 characters: 8 digits, then digits "
                    "or capital letters (no I, O, S, V or Z)."
                )
            }
        ) from exc


def normalise_phone(raw: str, field: str = "phone") -> str:
    """A valid phone number in E.164 form; numbers without a country code are Chinese."""
    try:
        parsed = phonenumbers.parse(raw.strip(), DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError({field: _("This is not a phone number.")}) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError({field: _("This phone number does not exist.")})
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def national_phone(e164: str) -> str:
    """A stored phone as people write it: Chinese numbers without +86, others in E.164."""
    return e164[3:] if e164.startswith("+86") else e164


def normalise_email(raw: str, field: str = "email") -> str:
    """A syntactically valid email address, lower-cased."""
    value = raw.strip().lower()
    try:
        validate_email(value)
    except ValidationError as exc:
        raise ValidationError({field: _("This is not a valid email address.")}) from exc
    return value


def clean_identity(data: dict, errors: dict) -> None:
    """Normalise phone, email, ID number and credit code in ``data`` in place; problems go to
    ``errors``.

    Shared by customers and their contact persons; an ID number also sets birthday and gender.
    """
    cleaners = (("phone", normalise_phone), ("email", normalise_email), ("uscc", normalise_uscc))
    for name, clean in cleaners:
        if data.get(name):
            try:
                data[name] = clean(data[name])
            except ValidationError as exc:
                errors.update(exc.message_dict)
    if data.get("id_number"):
        try:
            resident = parse_resident_id(data["id_number"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
        else:
            data["id_number"] = resident.number
            data["birthday"] = resident.birthday
            data["gender"] = resident.gender
