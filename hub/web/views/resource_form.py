"""The resource form as a manager fills it: opening hours as rows of day, from, to, and
durations as a number and a unit, where the service (and the API) read one JSON object of
opening hours and counts of minutes."""
from __future__ import annotations

import re
from typing import Any, Mapping

from hub.rules.calendar import WEEKDAY_LABELS, WEEKDAYS
from hub.services.resources import MAX_MINUTES
from models import Resource

# Form field (a number and its unit) -> service field (minutes).
DURATION_FIELDS = {
    "min_duration": "min_duration_minutes",
    "max_duration": "max_duration_minutes",
    "min_notice": "min_notice_minutes",
}
UNITS = {"minutes": 1, "hours": 60, "days": 24 * 60}
UNIT_OPTIONS = [("minutes", "minutes"), ("hours", "heures"), ("days", "jours")]

DAY_OPTIONS = [(day, WEEKDAY_LABELS[day].capitalize()) for day in WEEKDAYS]
# Rows the page offers beyond the stored ones, so that the form works without JavaScript.
EMPTY_ROWS = 2
MAX_ROWS = 50
# Present in every submitted resource form: no row at all then means "open at all hours".
ROWS_MARKER = "opening_hours_rows"
_ROW_FIELD = re.compile(r"^hours-(\d{1,4})-(day|from|to)$")
_CLOCK = re.compile(r"^(\d{1,2})\s*[:h]\s*(\d{2})?$")

LABELS = {
    "kind": "Type de ressource", "name": "Nom", "description": "Description", "capacity": "Capacité",
    "requires_approval": "Validation", "prerequisite": "Formation préalable",
    "opening_hours": "Horaires d'ouverture", "min_duration": "Durée minimale",
    "max_duration": "Durée maximale", "min_notice": "Délai de prévenance",
    "max_hours_per_week": "Heures par semaine et par lieu",
    "qualification_valid_days": "Validité de la qualification",
    "max_beneficiaries": "Bénéficiaires par réservation",
}


# --- durations -------------------------------------------------------------------------------

def duration_values(minutes: int | None) -> tuple[str, str]:
    """A stored count of minutes in the largest whole unit: 2880 -> ("2", "days")."""
    if minutes is None:
        return "", "hours"
    for unit in ("days", "hours"):
        if minutes and minutes % UNITS[unit] == 0:
            return str(minutes // UNITS[unit]), unit
    return str(minutes), "minutes"


def _duration_minutes(raw: Any, unit: Any) -> tuple[int | None, str | None]:
    text = str(raw or "").strip().replace(",", ".")
    if not text:
        return None, None
    if unit not in UNITS:
        return None, "Choisissez une unité : minutes, heures ou jours."
    try:
        amount = float(text)
    except ValueError:
        return None, "Indiquez un nombre, par exemple 2 ou 1,5."
    if amount != amount or amount < 0:
        return None, "Indiquez un nombre positif."
    minutes = round(amount * UNITS[unit])
    if minutes > MAX_MINUTES:
        return None, f"Au plus {MAX_MINUTES // UNITS[unit]} {dict(UNIT_OPTIONS)[unit]} (cinq ans)."
    return minutes, None


# --- opening hours ---------------------------------------------------------------------------

def hour_rows(hours: Mapping[str, list[list[str]]] | None) -> list[dict[str, str]]:
    """The stored opening hours as the form's rows, day by day, plus empty rows to fill.
    A range that ends at midnight ("24:00") shows as 00:00, which a time field can hold."""
    rows = [
        {"day": day, "from": start, "to": "00:00" if end == "24:00" else end}
        for day in WEEKDAYS for start, end in (hours or {}).get(day, [])
    ]
    rows += [{"day": "", "from": "", "to": ""} for _ in range(EMPTY_ROWS)]
    return [dict(row, index=str(i)) for i, row in enumerate(rows)]


def rows_of_form(form: Mapping[str, Any]) -> list[dict[str, str]]:
    """The rows as submitted (what was typed stays), in the order of their numbers."""
    rows: dict[int, dict[str, str]] = {}
    for key in form:
        match = _ROW_FIELD.match(key)
        if match:
            row = rows.setdefault(int(match[1]), {"day": "", "from": "", "to": "", "index": match[1]})
            row[match[2]] = str(form.get(key) or "").strip()
    return [rows[i] for i in sorted(rows)]


def _clock(text: str) -> str | None:
    match = _CLOCK.match(text)
    if not match:
        return None
    hours, minutes = int(match[1]), int(match[2] or 0)
    if hours > 23 or minutes > 59:
        return None
    return f"{hours:02d}:{minutes:02d}"


def _shown(hhmm: str) -> str:
    return "00:00" if hhmm == "24:00" else hhmm


def parse_rows(rows: list[dict[str, str]]) -> tuple[dict[str, list[list[str]]] | None, dict[str, str]]:
    """The opening hours of the rows (None: no row, open at all hours) and the French
    error of each faulty field, keyed by the field's name."""
    errors: dict[str, str] = {}
    if len(rows) > MAX_ROWS:
        return None, {"opening_hours": f"Au plus {MAX_ROWS} plages."}
    ranges: dict[str, list[tuple[str, str, str]]] = {}
    for row in rows:
        name = f"hours-{row['index']}-"
        if not (row["day"] or row["from"] or row["to"]):
            continue
        day, start, end = row["day"], _clock(row["from"]), _clock(row["to"])
        if day not in WEEKDAYS:
            errors[name + "day"] = ("Jour inconnu : choisissez un jour de la liste." if day
                                    else "Choisissez le jour de cette plage.")
        if start is None:
            errors[name + "from"] = "Indiquez l'heure de début, par exemple 09:00."
        if end is None:
            errors[name + "to"] = "Indiquez l'heure de fin, par exemple 12:30."
        if name + "day" in errors or start is None or end is None:
            continue
        # 00:00 as the end of a range is midnight, the end of the day.
        end = "24:00" if end == "00:00" else end
        if end <= start:
            errors[name + "to"] = f"La fin doit suivre le début ({start})."
            continue
        ranges.setdefault(day, []).append((start, end, name))
    hours: dict[str, list[list[str]]] = {}
    for day in WEEKDAYS:
        day_ranges = sorted(ranges.get(day, []))
        for (a_start, a_end, _), (b_start, b_end, b_name) in zip(day_ranges, day_ranges[1:]):
            if b_start < a_end:
                errors[b_name + "from"] = (f"Cette plage chevauche celle du {WEEKDAY_LABELS[day]} "
                                           f"{a_start}–{_shown(a_end)}.")
        if day_ranges:
            hours[day] = [[start, end] for start, end, _ in day_ranges]
    return (hours or None), errors


def row_labels(rows: list[dict[str, str]]) -> dict[str, str]:
    """The names of the rows' fields in the error summary: "Plage 2, fin"."""
    labels = {}
    for position, row in enumerate(rows, start=1):
        for part, word in (("day", "jour"), ("from", "début"), ("to", "fin")):
            labels[f"hours-{row['index']}-{part}"] = f"Horaires, plage {position}, {word}"
    return labels


# --- the whole form --------------------------------------------------------------------------

def to_service(form: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The form as the resource service reads it (rows turned into the opening-hours
    object, durations into minutes), and the errors of the fields it could not read."""
    data = {k: v for k, v in form.items()
            if k not in DURATION_FIELDS and not k.endswith("_unit") and not _ROW_FIELD.match(k) and k != ROWS_MARKER}
    errors: dict[str, str] = {}
    for name, service_name in DURATION_FIELDS.items():
        if name not in form:
            continue
        minutes, error = _duration_minutes(form.get(name), form.get(name + "_unit"))
        if error:
            errors[name] = error
        else:
            data[service_name] = "" if minutes is None else str(minutes)
    if ROWS_MARKER in form:
        data["opening_hours"], row_errors = parse_rows(rows_of_form(form))
        errors.update(row_errors)
    return data, errors


def errors_of_form(errors: Mapping[str, str]) -> dict[str, str]:
    """The service's errors, put beside the form's duration fields."""
    back = {service_name: name for name, service_name in DURATION_FIELDS.items()}
    return {back.get(k, k): v for k, v in errors.items()}


def form_values(resource: Resource, rule_fields: tuple[str, ...]) -> dict[str, Any]:
    """A stored resource as the form shows it."""
    values: dict[str, Any] = {name: getattr(resource, name, None) for name in rule_fields}
    values["kind"] = resource.kind
    values["requires_approval"] = "1" if resource.requires_approval else ""
    values["prerequisite"] = str(resource.prerequisite_id) if resource.prerequisite_id else ""
    if resource.max_hours_per_week is not None:
        values["max_hours_per_week"] = f"{resource.max_hours_per_week:g}"
    for name, service_name in DURATION_FIELDS.items():
        values[name], values[name + "_unit"] = duration_values(getattr(resource, service_name))
    values.pop("opening_hours", None)
    return values
