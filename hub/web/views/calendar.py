"""The week calendars the pages draw: a resource's free/busy time grid (days as columns,
hours as rows, within its opening hours), and a place's week of bookings per resource."""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from hub.rules.calendar import WEEKDAYS, hours_apply
from hub.services import bookings as bookings_service
from hub.services import resources as resources_service
from hub.timeutil import PARIS
from hub.web.views.catalogue import WEEK_DAYS, week_bounds
from models import Booking, Place, Resource, utcnow

# Hours shown for a resource bookable at any time: the day people actually book.
DEFAULT_HOURS = (time(8), time(20))
# Rows of half an hour, of an hour when the day shown is long.
FINE_STEP, COARSE_STEP = 30, 60
STATE_LABELS = {"free": "libre", "partial": "partiellement libre", "busy": "occupé",
                "closed": "fermé", "past": "passé"}


@dataclass
class Cell:
    state: str
    free: int
    # As an <input type="datetime-local"> reads them, Paris time.
    start_value: str
    end_value: str
    label: str  # what a screen reader says: "Lundi 07/12, 09:00–09:30 : libre"

    @property
    def bookable(self) -> bool:
        return self.state in ("free", "partial")


@dataclass
class Row:
    label: str
    cells: list[Cell]


@dataclass
class WeekGrid:
    days: list[tuple[date, str]]
    rows: list[Row]
    step: int


def local_value(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


def _shown_hours(resource: Resource) -> tuple[int, int]:
    """First and last minute of the day the grid shows: the span of the opening hours."""
    if not hours_apply(resource.kind, resource.opening_hours):
        return DEFAULT_HOURS[0].hour * 60, DEFAULT_HOURS[1].hour * 60
    ranges = [r for day in WEEKDAYS for r in (resource.opening_hours or {}).get(day, [])]
    minutes = [(int(a[:2]) * 60 + int(a[3:]), int(b[:2]) * 60 + int(b[3:])) for a, b in ranges]
    return min(a for a, _ in minutes), max(b for _, b in minutes)


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def resource_week(resource: Resource, monday: date) -> WeekGrid:
    """The free/busy grid of a machine or space for one week, Paris time."""
    first, last = _shown_hours(resource)
    step = FINE_STEP if last - first <= 14 * 60 else COARSE_STEP
    first -= first % step
    start, end = week_bounds(monday)
    # Plain timestamps: comparing aware datetimes of two time zones costs a UTC offset
    # lookup each time, thousands of times per grid.
    intervals = [(i["start"].timestamp(), i["end"].timestamp(), i["free"], i["closed"])
                 for i in resources_service.free_busy(resource, start, end)]
    ends = [i[1] for i in intervals]
    now = utcnow().timestamp()
    days = [(monday + timedelta(days=i), f"{WEEK_DAYS[i]} {monday + timedelta(days=i):%d/%m}") for i in range(7)]
    rows = []
    for minute in range(first, last, step):
        cells = []
        for day, day_label in days:
            # Aware + timedelta is wall-clock arithmetic: rows stay on the clock across DST.
            cell_start = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=PARIS)
            cell_end = cell_start + timedelta(minutes=step)
            state, free = _state(cell_start.timestamp(), cell_end.timestamp(), intervals, ends,
                                 resource.capacity, now)
            end_minute = minute + step
            end_value = (f"{day.isoformat()}T{_hhmm(end_minute)}" if end_minute < 24 * 60
                         else f"{(day + timedelta(days=1)).isoformat()}T00:00")
            text = STATE_LABELS[state] if state != "partial" else (
                f"{free} disponible{'s' if free > 1 else ''} sur {resource.capacity}")
            cells.append(Cell(state, free, f"{day.isoformat()}T{_hhmm(minute)}", end_value,
                              f"{day_label}, {_hhmm(minute)}–{_hhmm(end_minute % (24 * 60))} : {text}"))
        rows.append(Row(label=_hhmm(minute), cells=cells))
    return WeekGrid(days=days, rows=rows, step=step)


def _state(start: float, end: float, intervals: list[tuple[float, float, int, bool]], ends: list[float],
           capacity: int, now: float) -> tuple[str, int]:
    if end <= now:
        return "past", 0
    free = capacity
    index = bisect.bisect_right(ends, start)
    while index < len(intervals) and intervals[index][0] < end:
        _, _, left, closed = intervals[index]
        if closed:
            # Part of the cell is closed: it cannot be booked whole.
            return "closed", 0
        free = min(free, left)
        index += 1
    if free <= 0:
        return "busy", 0
    return ("partial" if free < capacity else "free"), free


# --- a place's week --------------------------------------------------------------------------

@dataclass
class PlaceWeek:
    days: list[tuple[date, str]]
    # (resource, one list of (booking, local start, local end) per day)
    rows: list[tuple[Resource, list[list[tuple[Booking, datetime, datetime]]]]] = field(default_factory=list)


def place_week(place: Place, monday: date) -> PlaceWeek:
    """Every resource of a place, with its pending, confirmed and waitlisted bookings of
    the week, day by day: the manager's calendar of the whole place."""
    start, end = week_bounds(monday)
    week = PlaceWeek(days=[(monday + timedelta(days=i), f"{WEEK_DAYS[i]} {monday + timedelta(days=i):%d/%m}")
                           for i in range(7)])
    resources = resources_service.resources_of_place(place)
    by_resource: dict[int, list[list[tuple[Booking, datetime, datetime]]]] = {
        r.id: [[] for _ in range(7)] for r in resources
    }
    for booking in bookings_service.bookings_of_place_resources(place, start, end):
        days = by_resource.get(booking.resource_id)
        if days is None:
            continue
        piece_start = max(booking.start_at, start).astimezone(PARIS)
        piece_end = min(booking.end_at, end).astimezone(PARIS)
        cursor = piece_start
        while cursor < piece_end:
            midnight = datetime.combine(cursor.date() + timedelta(days=1), time(), tzinfo=PARIS)
            index = (cursor.date() - monday).days
            if 0 <= index < 7:
                days[index].append((booking, cursor, min(midnight, piece_end)))
            cursor = midnight
    week.rows = [(r, by_resource[r.id]) for r in resources]
    return week
