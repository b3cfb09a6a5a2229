"""Finding resources: search keys, distances, and free time over busy intervals.

Pure functions over rows already read (hub.services.catalogue reads them). Periods are
half-open, [start, end), like everywhere in hub.rules.capacity.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Iterable, Sequence

from text_unidecode import unidecode

from hub.rules.calendar import OpeningHours, hours_apply, opening_intervals
from hub.rules.capacity import Period, free_busy, peak_within
from hub.timeutil import PARIS

Busy = tuple[datetime, datetime, int]

# What `next_free` looks for: a slot of at least an hour within four weeks.
NEXT_FREE_MINUTES = 60
NEXT_FREE_HORIZON = timedelta(weeks=4)
# Slots start on a quarter hour: "mardi à 14 h 15", never "à 14 h 07".
SLOT_STEP_MINUTES = 15

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def search_key(*texts: str | None) -> str:
    """The texts folded for searching: ASCII, lower case, words separated by one space,
    with a space at both ends ("Découpeuse laser" -> " decoupeuse laser ").

    Stored in a column and compared with LIKE, so both databases match "decoupeuse",
    "DÉCOUPEUSE" and "Découpeuse" alike (SQLite's lower() folds ASCII only).
    """
    folded = _NOT_ALNUM.sub(" ", unidecode(" ".join(t for t in texts if t)).lower()).strip()
    return f" {folded} " if folded else ""


def search_words(query: str | None, limit: int = 8) -> list[str]:
    """The words of a search query, folded as `search_key` folds the texts searched."""
    return search_key(query).split()[:limit]


def ceil_to_step(instant: datetime, minutes: int = SLOT_STEP_MINUTES) -> datetime:
    """The first instant at or after `instant` on a multiple of `minutes` past the hour."""
    instant = instant.astimezone(timezone.utc)
    base = instant.replace(minute=0, second=0, microsecond=0)
    steps = -(-(instant - base) // timedelta(minutes=minutes))
    return base + steps * timedelta(minutes=minutes)


def bookable_windows(kind: str, hours: OpeningHours | None, start: datetime,
                     end: datetime) -> list[Period]:
    """The parts of [start, end) a booking may use: each opening interval clipped to the
    period (a booking lies within ONE interval), or the whole period where opening hours do
    not apply to the kind."""
    if end <= start:
        return []
    if not hours_apply(kind, hours):
        return [(start, end)]
    assert hours is not None
    windows = []
    # An opening interval ends on its own day (at 24:00 at the latest): none of the day
    # before reaches into the period.
    day = start.astimezone(PARIS).date()
    last = end.astimezone(PARIS).date()
    while day <= last:
        for a, b in opening_intervals(hours, day):
            a, b = max(a, start), min(b, end)
            if a < b:
                windows.append((a.astimezone(timezone.utc), b.astimezone(timezone.utc)))
        day += timedelta(days=1)
    return windows


def overlaps(periods: Iterable[Period], start: datetime, end: datetime) -> bool:
    return any(s < end and e > start for s, e in periods)


def free_throughout(capacity: int, windows: Sequence[Period], busy: Sequence[Busy]) -> bool:
    """Whether at least one unit stays free at every instant of the windows (and there is
    at least one window: a resource closed all period long is not free)."""
    if not windows:
        return False
    return all(peak_within(_within(busy, s, e), s, e) < capacity for s, e in windows)


def next_free_start(capacity: int, windows: Sequence[Period], busy: Sequence[Busy],
                    closed: Sequence[Period], minutes: int = NEXT_FREE_MINUTES) -> datetime | None:
    """The start of the first slot of `minutes` that lies within one window, meets no
    closure and keeps at least one unit free throughout; None if there is none.

    `windows` are in time order; a slot starts on a quarter hour (the run of free time
    that holds it may start earlier, at a booking's odd end).
    """
    length = timedelta(minutes=minutes)
    for w_start, w_end in windows:
        if w_end - w_start < length:
            continue
        shut = [(max(s, w_start), min(e, w_end)) for s, e in closed if s < w_end and e > w_start]
        # A run of consecutive intervals with a free unit; it never crosses a window's end.
        run: datetime | None = None
        for interval in free_busy(capacity, w_start, w_end, _within(busy, w_start, w_end), shut):
            if interval["closed"] or interval["free"] <= 0:
                run = None
                continue
            if run is None:
                run = interval["start"]
            candidate = ceil_to_step(run)
            if interval["end"] - candidate >= length:
                return candidate
    return None


def _within(busy: Iterable[Busy], start: datetime, end: datetime) -> list[Busy]:
    return [(s, e, q) for s, e, q in busy if s < end and e > start]
