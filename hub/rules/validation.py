"""Reading untrusted input (JSON bodies, form data) field by field.

A `Fields` collects every problem with a French message, so a client learns about
all of them at once; `check()` raises Invalid with them, before anything is written.
"""
from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any, Callable, Iterable, Mapping

from hub.errors import Invalid, NotFound
from hub.timeutil import MAX_YEAR, MIN_YEAR, YearOutOfRange, parse_datetime

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# C0 and C1 control characters, DEL and lone surrogates: invisible, and some cut text
# short (SQLite's length() stops at NUL). Tab and newlines are kept in multi-line fields.
CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
MULTILINE_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


# Row ids are INTEGER columns: 32 bits on PostgreSQL, which refuses a larger bound value
# ("integer out of range", a 500) instead of answering "not found".
MAX_ID = 2**31 - 1


def id_or_404(value: Any, message: str) -> int:
    """A row id from a URL or a body: anything that cannot be one is a 404 with `message`."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotFound(message) from None
    if not 1 <= number <= MAX_ID:
        raise NotFound(message)
    return number


class Fields:
    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.errors: dict[str, str] = {}

    def error(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def check(self, message: str | None = None) -> None:
        if self.errors:
            raise Invalid(message, fields=dict(self.errors))

    def _raw(self, field: str) -> Any:
        value = self.data.get(field)
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                return None
        return value

    def text(self, field: str, *, required: bool = False, max_len: int = 200,
             default: str | None = None, multiline: bool = False) -> str | None:
        value = self._raw(field)
        if value is None:
            if required:
                self.error(field, "Ce champ est obligatoire.")
            return default
        if not isinstance(value, str):
            self.error(field, "Ce champ doit être un texte.")
            return default
        if len(value) > max_len:
            self.error(field, f"Ce champ ne doit pas dépasser {max_len} caractères.")
            return default
        if (MULTILINE_CONTROL_RE if multiline else CONTROL_RE).search(value):
            self.error(field, "Ce champ contient un caractère de contrôle interdit."
                       if multiline else
                       "Ce champ contient un caractère de contrôle interdit (tabulation ou retour à la ligne compris).")
            return default
        return value

    def choice(self, field: str, choices: Iterable[str], *, required: bool = False,
               default: str | None = None) -> str | None:
        allowed = tuple(choices)
        value = self._raw(field)
        if value is None:
            if required:
                self.error(field, "Ce champ est obligatoire.")
            return default
        if value not in allowed:
            self.error(field, "Valeur inconnue : choisissez parmi " + ", ".join(allowed) + ".")
            return default
        return value

    def integer(self, field: str, *, required: bool = False, minimum: int | None = None,
                maximum: int | None = None, default: int | None = None) -> int | None:
        return self._number(field, _to_int, "Ce champ doit être un nombre entier.", "",
                            required=required, minimum=minimum, maximum=maximum, default=default)

    def number(self, field: str, *, required: bool = False, minimum: float | None = None,
               maximum: float | None = None, default: float | None = None) -> float | None:
        return self._number(field, _to_float, "Ce champ doit être un nombre.", "g",
                            required=required, minimum=minimum, maximum=maximum, default=default)

    def _number(self, field: str, convert: Callable[[Any], Any], wrong: str, spec: str, *,
                required: bool, minimum: Any, maximum: Any, default: Any) -> Any:
        """`convert` the field's value (None when it is not a number of that kind), then
        check its bounds, whose messages format them with `spec`."""
        value = self._raw(field)
        if value is None:
            if required:
                self.error(field, "Ce champ est obligatoire.")
            return default
        value = convert(value)
        if value is None:
            self.error(field, wrong)
            return default
        if minimum is not None and value < minimum:
            self.error(field, f"La valeur doit être au moins {format(minimum, spec)}.")
            return default
        if maximum is not None and value > maximum:
            self.error(field, f"La valeur doit être au plus {format(maximum, spec)}.")
            return default
        return value

    def boolean(self, field: str, *, default: bool = False) -> bool:
        value = self.data.get(field)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("1", "true", "on", "oui", "yes"):
            return True
        if isinstance(value, str) and value.lower() in ("0", "false", "off", "non", "no"):
            return False
        self.error(field, "Ce champ doit valoir vrai ou faux.")
        return default

    def datetime(self, field: str, *, required: bool = False) -> datetime | None:
        value = self._raw(field)
        if value is None:
            if required:
                self.error(field, "Ce champ est obligatoire.")
            return None
        try:
            return parse_datetime(value)
        except YearOutOfRange:
            self.error(field, f"L'année doit être comprise entre {MIN_YEAR} et {MAX_YEAR}.")
            return None
        except (ValueError, TypeError):
            self.error(field, "Date et heure invalides (format ISO 8601 attendu).")
            return None

    def email(self, field: str = "email", *, required: bool = True) -> str | None:
        value = self.text(field, required=required, max_len=254)
        if value is None:
            return None
        if not EMAIL_RE.match(value):
            self.error(field, "Adresse électronique invalide.")
            return None
        return value.lower()


def _to_int(value: Any) -> int | None:
    """An int from an int, an integral float or a decimal string; None otherwise (a bool
    is no number)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = int(value)
        except ValueError:
            return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, int) else None


def _to_float(value: Any) -> float | None:
    """A finite float from a number or a string with a decimal point or comma; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.replace(",", "."))
        except ValueError:
            return None
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


# --- Identifiers and contact details of a place (pure: no reference data needed) ---------

SIRET_RE = re.compile(r"^\d{14}$")
RNA_RE = re.compile(r"^W\d{9}$")
POSTAL_CODE_RE = re.compile(r"^\d{5}$")
# La Poste's SIRETs break the Luhn rule: INSEE keys them by a sum of digits divisible by 5.
LA_POSTE_SIREN = "356000000"


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char)
        if i % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def siret_ok(value: str) -> bool:
    """14 digits whose key checks (Luhn; La Poste's own rule for its establishments)."""
    if not SIRET_RE.match(value):
        return False
    if value.startswith(LA_POSTE_SIREN) and value != LA_POSTE_SIREN + "00000":
        return sum(int(c) for c in value) % 5 == 0
    return luhn_ok(value[:9]) and luhn_ok(value)


def compact_identifier(value: str) -> str:
    """A SIRET or RNA as people type them ("434 933 123 00029", "w751234567"): no spaces, upper case."""
    return re.sub(r"[\s.\-]", "", value).upper()


def rna_ok(value: str) -> bool:
    return bool(RNA_RE.match(value))


# National numbers of the overseas départements: their first digits after the 0 and the
# country code the schema of the Lieux de médiation numérique wants for them.
_OVERSEAS_PREFIXES = {
    "590": "590", "690": "590", "691": "590",  # Guadeloupe
    "594": "594", "694": "594",  # Guyane
    "262": "262", "692": "262", "693": "262",  # La Réunion
    "269": "262", "639": "262",  # Mayotte (shares La Réunion's +262)
    "596": "596", "696": "596", "697": "596",  # Martinique
}
_COUNTRY_CODES = ("33", "590", "594", "262", "596", "269", "687", "689", "508", "681")
_PHONE_CHARS_RE = re.compile(r"[\s.\-()/]")


def normalize_phone(value: str) -> str | None:
    """A French phone number in international form ("+33180059880"), or None when it is not one.

    Takes what people type: "01 80 05 98 80", "+33 (0)1 80 05 98 80", "0033 1 80…",
    and the overseas départements' numbers ("0590 12 34 56" -> "+590590123456").
    """
    number = _PHONE_CHARS_RE.sub("", value)
    if number.startswith("00"):
        number = "+" + number[2:]
    if number.startswith("+"):
        digits = number[1:]
        if not digits.isdigit():
            return None
        for code in _COUNTRY_CODES:
            if digits.startswith(code):
                national = digits[len(code):]
                if national.startswith("0"):  # "+33 (0)1 …"
                    national = national[1:]
                if code == "33" and len(national) == 9 and national[0] != "0":
                    return "+33" + national
                if code != "33" and 6 <= len(national) <= 9:
                    return f"+{code}{national}"
                return None
        return None
    if len(number) != 10 or not number.isdigit() or number[0] != "0" or number[1] == "0":
        return None
    code = _OVERSEAS_PREFIXES.get(number[1:4], "33")
    return f"+{code}{number[1:]}"


def place_identity(f: Fields, commune_name: str | None,
                   postal_codes: tuple[str, ...] | None) -> dict[str, Any]:
    """A place's address, postal code, SIRET or RNA, email and phone, read from `f`.

    `postal_codes` are those of the place's commune when it is known (`commune_name`):
    the postal code must be one of them, and is the commune's when it has only one.
    """
    values: dict[str, Any] = {"address": f.text("address", max_len=300)}
    postal_code = f.text("postal_code", max_len=5)
    if postal_code is not None:
        if not POSTAL_CODE_RE.match(postal_code):
            f.error("postal_code", "Code postal invalide (5 chiffres, par exemple 29900).")
            postal_code = None
        elif postal_codes is not None and postal_code not in postal_codes:
            f.error("postal_code", f"Ce code postal n'est pas celui de {commune_name} : "
                                   + " ou ".join(postal_codes) + ".")
            postal_code = None
    elif postal_codes is not None and len(postal_codes) == 1:
        postal_code = postal_codes[0]
    values["postal_code"] = postal_code

    siret = f.text("siret", max_len=20)
    if siret is not None:
        siret = compact_identifier(siret)
        if not SIRET_RE.match(siret):
            f.error("siret", "SIRET invalide : 14 chiffres attendus.")
            siret = None
        elif not siret_ok(siret):
            f.error("siret", "SIRET invalide : sa clé de contrôle ne correspond pas (vérifiez les chiffres).")
            siret = None
    values["siret"] = siret
    rna = f.text("rna", max_len=12)
    if rna is not None:
        rna = compact_identifier(rna)
        if not rna_ok(rna):
            f.error("rna", "Numéro RNA invalide : un W suivi de 9 chiffres (par exemple W751234567).")
            rna = None
    values["rna"] = rna

    values["email"] = f.email("email", required=False)
    phone = f.text("phone", max_len=30)
    if phone is not None:
        normalized = normalize_phone(phone)
        if normalized is None:
            f.error("phone", "Numéro de téléphone invalide (par exemple 01 80 05 98 80 ou +33 1 80 05 98 80).")
        phone = normalized
    values["phone"] = phone
    return values


def display_phone(number: str) -> str:
    """A stored phone number as the French read it: "+33298501234" -> "02 98 50 12 34"."""
    national = None
    if number.startswith("+33") and len(number) == 12:
        national = "0" + number[3:]
    elif number[1:4] in ("590", "594", "262", "596") and len(number) == 13:
        national = "0" + number[4:]
    if national is None:
        return number
    return " ".join(national[i:i + 2] for i in range(0, 10, 2))
