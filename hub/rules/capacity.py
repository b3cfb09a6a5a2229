"""Capacity rules over rows already read: occupancy, free/busy, weekly quota, exclusivity.

Periods are half-open, [start, end): a booking ending at 10:00 and one starting at 10:00
do not overlap.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable

from hub.rules.calendar import next_week, week_start
from hub.timeutil import PARIS

Period = tuple[datetime, datetime]


def peak_use(rows: Iterable[tuple[datetime, datetime, int]]) -> int:
    """The largest sum of quantities at one instant of half-open intervals."""
    edges: list[tuple[datetime, int]] = []
    for start, end, quantity in rows:
        edges.append((start, quantity))
        edges.append((end, -quantity))
    # At equal instants ends (negative) come first: [a, b) and [b, c) do not overlap.
    edges.sort(key=lambda e: (e[0], e[1]))
    peak = used = 0
    for _, delta in edges:
        used += delta
        peak = max(peak, used)
    return peak


def peak_within(rows: Iterable[tuple[datetime, datetime, int]], start: datetime, end: datetime) -> int:
    """`peak_use` of the rows clipped to [start, end)."""
    return peak_use((max(s, start), min(e, end), q) for s, e, q in rows)


def is_exclusive(kind: str, capacity: int) -> bool:
    """Whether a resource's bookings fall under the database's no-overlap constraint:
    one at a time, and booked by time range (a training's sessions have their seats)."""
    return capacity == 1 and kind != "training"


def free_busy(capacity: int, start: datetime, end: datetime,
              bookings: Iterable[tuple[datetime, datetime, int]],
              closed: Iterable[Period]) -> list[dict[str, Any]]:
    """[start, end) cut into intervals of constant `free` capacity and `closed` flag,
    adjacent equal intervals merged. `bookings` are (start, end, quantity) of the active
    bookings, `closed` the closures and times outside opening hours."""
    start, end = start.astimezone(timezone.utc), end.astimezone(timezone.utc)
    # (instant, change of used capacity, change of closed count)
    edges: list[tuple[datetime, int, int]] = [(start, 0, 0), (end, 0, 0)]
    for s, e, q in bookings:
        edges.append((max(s, start), q, 0))
        edges.append((min(e, end), -q, 0))
    for s, e in closed:
        edges.append((max(s, start), 0, 1))
        edges.append((min(e, end), 0, -1))
    edges.sort(key=lambda x: x[0])

    intervals: list[dict[str, Any]] = []
    used = shut_count = 0
    i, n = 0, len(edges)
    while i < n:
        instant = edges[i][0]
        while i < n and edges[i][0] == instant:
            used += edges[i][1]
            shut_count += edges[i][2]
            i += 1
        if i >= n or instant >= end:
            break
        following = edges[i][0]
        free = max(capacity - used, 0)
        shut = shut_count > 0
        if intervals and intervals[-1]["free"] == free and intervals[-1]["closed"] == shut:
            intervals[-1]["end"] = following
        else:
            intervals.append({"start": instant, "end": following, "free": free, "closed": shut})
    return intervals


def quota_window(start: datetime, end: datetime) -> Period:
    """The weeks a request for [start, end) touches: the bookings to count lie there."""
    return week_start(start), next_week(week_start(end))


def quota_breach(max_hours: float | None, booked: Iterable[Period], start: datetime,
                 end: datetime) -> str | None:
    """Why [start, end) would exceed `max_hours` per ISO week in Paris time (clock hours,
    counted in each week it touches) beside the `booked` periods; None if it fits."""
    if not max_hours:
        return None
    booked = list(booked)
    week = week_start(start)
    while week < end:
        following = next_week(week)

        def hours_in(s: datetime, e: datetime) -> float:
            return max((min(e, following) - max(s, week)).total_seconds(), 0) / 3600

        used = sum(hours_in(s, e) for s, e in booked)
        if used + hours_in(start, end) > max_hours + 1e-9:
            left = max(max_hours - used, 0)
            return (f"Ce lieu peut réserver cette ressource {max_hours:g} h par semaine ; "
                    f"il en reste {left:g} h la semaine du {week.astimezone(PARIS):%d/%m/%Y}.")
        week = following
    return None
