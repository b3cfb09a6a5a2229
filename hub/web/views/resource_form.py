"""The resource form speaks hours where the service (and the API) count minutes."""
from __future__ import annotations

from typing import Any, Mapping

# Form field (hours) -> service field (minutes).
HOUR_FIELDS = {
    "min_duration_hours": "min_duration_minutes",
    "max_duration_hours": "max_duration_minutes",
    "min_notice_hours": "min_notice_minutes",
}
MAX_HOURS = 5 * 366 * 24


def hours_text(minutes: int | None) -> str:
    """90 -> "1,5"; None -> ""."""
    if minutes is None:
        return ""
    return f"{minutes / 60:g}".replace(".", ",")


def to_service(form: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The form as the resource service reads it (hours turned into minutes), and the
    errors of the hour fields that are no number of hours."""
    data = {k: v for k, v in form.items() if k not in HOUR_FIELDS}
    errors: dict[str, str] = {}
    for name, service_name in HOUR_FIELDS.items():
        if name not in form:
            continue
        raw = str(form.get(name) or "").strip().replace(",", ".").rstrip("h").strip()
        if not raw:
            data[service_name] = ""
            continue
        try:
            hours = float(raw)
        except ValueError:
            errors[name] = "Indiquez un nombre d'heures, par exemple 2 ou 1,5."
            continue
        if not 0 <= hours <= MAX_HOURS or hours != hours:
            errors[name] = f"Indiquez un nombre d'heures entre 0 et {MAX_HOURS}."
            continue
        data[service_name] = str(round(hours * 60))
    return data, errors


def errors_of_form(errors: Mapping[str, str]) -> dict[str, str]:
    """The service's errors, put beside the form's hour fields."""
    back = {service_name: name for name, service_name in HOUR_FIELDS.items()}
    return {back.get(k, k): v for k, v in errors.items()}
