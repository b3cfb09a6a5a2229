"""Reading untrusted input (JSON bodies, form data) field by field.

A `Fields` collects every problem with a French message, so a client learns about
all of them at once; `check()` raises Invalid with them, before anything is written.
"""
from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any, Iterable, Mapping

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
        value = self._raw(field)
        if value is None:
            if required:
                self.error(field, "Ce champ est obligatoire.")
            return default
        if isinstance(value, bool):
            self.error(field, "Ce champ doit être un nombre entier.")
            return default
        if isinstance(value, str):
            try:
                value = int(value)
            except ValueError:
                self.error(field, "Ce champ doit être un nombre entier.")
                return default
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int):
            self.error(field, "Ce champ doit être un nombre entier.")
            return default
        if minimum is not None and value < minimum:
            self.error(field, f"La valeur doit être au moins {minimum}.")
            return default
        if maximum is not None and value > maximum:
            self.error(field, f"La valeur doit être au plus {maximum}.")
            return default
        return value

    def number(self, field: str, *, required: bool = False, minimum: float | None = None,
               maximum: float | None = None, default: float | None = None) -> float | None:
        value = self._raw(field)
        if value is None:
            if required:
                self.error(field, "Ce champ est obligatoire.")
            return default
        if isinstance(value, bool):
            self.error(field, "Ce champ doit être un nombre.")
            return default
        if isinstance(value, str):
            try:
                value = float(value.replace(",", "."))
            except ValueError:
                self.error(field, "Ce champ doit être un nombre.")
                return default
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            self.error(field, "Ce champ doit être un nombre.")
            return default
        if minimum is not None and value < minimum:
            self.error(field, f"La valeur doit être au moins {minimum:g}.")
            return default
        if maximum is not None and value > maximum:
            self.error(field, f"La valeur doit être au plus {maximum:g}.")
            return default
        return float(value)

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
