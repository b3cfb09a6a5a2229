"""Calendar rules: weekdays, opening hours, weeks in Paris time, and the period check.

Opening hours are Europe/Paris local time, `{"mon": [["09:00", "18:00"]], ...}`; "24:00"
may end an interval. A booking must lie within ONE interval of the day it starts on. They
apply to machines and spaces only: a training is booked by session (the manager chose its
times) and an incubation runs for weeks, across nights and weekends.

A booking may not end more than `HORIZON_MONTHS` ahead, and without a maximum duration of
its resource it lasts at most `DEFAULT_MAX_MINUTES`: nobody holds a space for decades.
"""
from __future__ import annotations

import calendar as _calendar
import json
import re
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterator, Mapping

from hub.timeutil import PARIS, duration_text

OpeningHours = Mapping[str, list[list[str]]]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_LABELS = {
    "mon": "lundi", "tue": "mardi", "wed": "mercredi", "thu": "jeudi",
    "fri": "vendredi", "sat": "samedi", "sun": "dimanche",
}
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
# Kinds whose bookings must fit the opening hours.
HOURS_KINDS = ("machine", "space")

HORIZON_MONTHS = 18
DEFAULT_MAX_MINUTES = 365 * 24 * 60


# ---------------------------------------------------------------- opening hours

def parse_opening_hours(value: Any) -> dict[str, list[list[str]]] | None:
    """Opening hours from JSON (a dict, or its text); the resource form sends rows of day,
    from, to that hub.web.views.resource_form turns into the dict. None or "" = always open.

    Raises ValueError with a French message.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValueError("JSON invalide.") from None
    if not isinstance(value, dict):
        raise ValueError('Un objet est attendu, par exemple {"mon": [["09:00", "18:00"]]}.')
    result: dict[str, list[list[str]]] = {}
    for day, intervals in value.items():
        if day not in WEEKDAYS:
            raise ValueError(f"Jour inconnu « {day} » : utilisez {', '.join(WEEKDAYS)}.")
        if not isinstance(intervals, list):
            raise ValueError(f"{WEEKDAY_LABELS[day]} : une liste d'intervalles est attendue.")
        clean: list[list[str]] = []
        for interval in intervals:
            if (not isinstance(interval, (list, tuple)) or len(interval) != 2
                    or not all(isinstance(x, str) and _HHMM.match(x) for x in interval)):
                raise ValueError(f"{WEEKDAY_LABELS[day]} : intervalle invalide (HH:MM, HH:MM attendus).")
            start, end = interval
            if start == "24:00" or end <= start:
                raise ValueError(f"{WEEKDAY_LABELS[day]} : la fin doit suivre le début ({start}-{end}).")
            clean.append([start, end])
        clean.sort()
        for a, b in zip(clean, clean[1:]):
            if b[0] < a[1]:
                raise ValueError(f"{WEEKDAY_LABELS[day]} : les intervalles se chevauchent.")
        if clean:
            result[day] = clean
    return result


def _at(day: date, hhmm: str) -> datetime:
    if hhmm == "24:00":
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=PARIS)
    hours, minutes = map(int, hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=PARIS)


def opening_intervals(hours: OpeningHours, day: date) -> list[tuple[datetime, datetime]]:
    """The opening intervals of a local day, as aware Paris datetimes."""
    return [(_at(day, a), _at(day, b)) for a, b in hours.get(WEEKDAYS[day.weekday()], [])]


def hours_apply(kind: str, hours: OpeningHours | None) -> bool:
    return bool(hours) and kind in HOURS_KINDS


def within_opening_hours(kind: str, hours: OpeningHours | None, start: datetime, end: datetime) -> bool:
    """Whether [start, end) lies within one opening interval of the day it starts on."""
    if not hours_apply(kind, hours):
        return True
    assert hours is not None
    day = start.astimezone(PARIS).date()
    return any(a <= start and end <= b for a, b in opening_intervals(hours, day))


def outside_opening(hours: OpeningHours, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
    """The closed periods (UTC) between opening intervals, covering at least [start, end)."""
    day = start.astimezone(PARIS).date() - timedelta(days=1)
    last = end.astimezone(PARIS).date() + timedelta(days=1)
    cursor = datetime.combine(day, time(0), tzinfo=PARIS)
    while day <= last:
        for a, b in opening_intervals(hours, day):
            if a > cursor:
                yield (cursor.astimezone(timezone.utc), a.astimezone(timezone.utc))
            cursor = max(cursor, b)
        day += timedelta(days=1)
    next_midnight = datetime.combine(day, time(0), tzinfo=PARIS)
    if next_midnight > cursor:
        yield (cursor.astimezone(timezone.utc), next_midnight.astimezone(timezone.utc))


# ---------------------------------------------------------------- weeks

def week_start(instant: datetime) -> datetime:
    """Monday 00:00 in Paris of the week holding `instant`, in UTC."""
    local = instant.astimezone(PARIS)
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, time(0), tzinfo=PARIS).astimezone(timezone.utc)


def next_week(week: datetime) -> datetime:
    # Add calendar days in Paris time: a week with a DST change is 167 or 169 hours long.
    monday = week.astimezone(PARIS).date() + timedelta(days=7)
    return datetime.combine(monday, time(0), tzinfo=PARIS).astimezone(timezone.utc)


def add_months(instant: datetime, months: int) -> datetime:
    """The same local day and time `months` later (the month's last day if it is shorter)."""
    local = instant.astimezone(PARIS)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, _calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day).astimezone(timezone.utc)


# ---------------------------------------------------------------- periods

def period_errors(start: datetime, end: datetime, now: datetime, *, ended_only: bool = False,
                  notice_minutes: int | None = None, min_minutes: int | None = None,
                  max_minutes: int | None = None, booking: bool = False, kind: str = "",
                  opening_hours: OpeningHours | None = None) -> dict[str, str]:
    """What is wrong with the period [start, end), by field ("start", "end"), in French.

    Every period must end after it starts. A session or a booking must not have begun
    (after `notice_minutes` from now, if given); a closure (`ended_only`) may have begun
    but not ended. A `booking` also keeps to its resource's durations (at most
    DEFAULT_MAX_MINUTES without a maximum), to the HORIZON_MONTHS ahead and to the
    opening hours of its kind.
    """
    errors: dict[str, str] = {}
    if end <= start:
        errors["end"] = "La fin doit être après le début."
    if ended_only:
        if end <= now:
            errors.setdefault("end", "Cette période est déjà passée.")
        return errors
    if start < now:
        errors["start"] = "Le début est déjà passé."
    elif notice_minutes and start < now + timedelta(minutes=notice_minutes):
        errors["start"] = f"Réservez au moins {duration_text(notice_minutes)} à l'avance."
    if not booking or "end" in errors:
        return errors
    minutes = (end - start).total_seconds() / 60
    if min_minutes and minutes < min_minutes:
        errors["end"] = f"La durée minimale est de {duration_text(min_minutes)}."
    elif max_minutes and minutes > max_minutes:
        errors["end"] = f"La durée maximale est de {duration_text(max_minutes)}."
    elif end > (horizon := add_months(now, HORIZON_MONTHS)):
        errors["end"] = (f"On réserve au plus {HORIZON_MONTHS} mois à l'avance : "
                         f"la fin doit tomber avant le {horizon.astimezone(PARIS):%d/%m/%Y}.")
    elif not max_minutes and minutes > DEFAULT_MAX_MINUTES:
        errors["end"] = "Une réservation dure au plus 1 an : découpez-la en plusieurs demandes."
    if not within_opening_hours(kind, opening_hours, start, end):
        errors.setdefault("start", "Ce créneau sort des horaires d'ouverture de la ressource.")
    return errors


# ---------------------------------------------------------------- free slots

def free_slots(intervals: list[Mapping[str, Any]], after: datetime, duration: timedelta,
               quantity: int, *, count: int = 3, step_minutes: int = 30) -> list[tuple[datetime, datetime]]:
    """The first `count` periods of `duration` starting at or after `after` (rounded up to
    `step_minutes`) where `quantity` fits: one per stretch of free time, so that the offer
    spreads over the days instead of listing 10:00, 10:30, 11:00.

    `intervals` are a free/busy answer: contiguous, in order, `free` and `closed` each.
    """
    step = timedelta(minutes=step_minutes)
    epoch = datetime(2000, 1, 1, tzinfo=timezone.utc)
    after = epoch + -((epoch - after) // step) * step  # round up to the step
    slots: list[tuple[datetime, datetime]] = []
    run_start: datetime | None = None
    run_end: datetime | None = None
    for interval in [*intervals, None]:
        fits = interval is not None and not interval["closed"] and interval["free"] >= quantity
        if fits and run_end is not None and interval["start"] == run_end:
            run_end = interval["end"]
            continue
        if run_start is not None and run_end is not None:
            begin = max(run_start, after)
            if begin + duration <= run_end:
                slots.append((begin, begin + duration))
                if len(slots) == count:
                    return slots
        run_start, run_end = (interval["start"], interval["end"]) if fits else (None, None)
    return slots
