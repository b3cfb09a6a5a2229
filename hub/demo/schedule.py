"""Where the demo's bookings fall: each resource's opening hours cut into slots
(blocks), drawn at random over the demo's period, never twice the same."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Iterator

from hub.demo import data
from hub.demo.common import Clock, DemoResource
from hub.rules.calendar import WEEKDAYS, opening_intervals
from hub.timeutil import PARIS

# A week without a change of clock: local times read as minutes after midnight.
_REFERENCE_MONDAY = date(2024, 1, 1)


def open_days(clock: Clock, res: DemoResource) -> list[date]:
    if not res.closed_days:
        return clock.days
    return [d for d in clock.days if d not in res.closed_days]


@lru_cache(maxsize=None)
def slot_grid(hours: str, block_minutes: int) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Per weekday (0 = Monday), the slots of `block_minutes` that fit the opening hours
    `data.OPENING_HOURS[hours]`, in minutes after local midnight."""
    grid: list[tuple[tuple[int, int], ...]] = []
    for wd in range(len(WEEKDAYS)):
        day = _REFERENCE_MONDAY + timedelta(days=wd)
        midnight = datetime.combine(day, time(0), tzinfo=PARIS)
        slots = []
        for start, end in opening_intervals(data.OPENING_HOURS[hours], day):
            a, b = _minutes(start - midnight), _minutes(end - midnight)
            while a + block_minutes <= b:
                slots.append((a, a + block_minutes))
                a += block_minutes
        grid.append(tuple(slots))
    return tuple(grid)


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds()) // 60


def blocks(rng: random.Random, clock: Clock, res: DemoResource, wanted: int) -> Iterator[tuple[date, int, int]]:
    """Distinct slots drawn at random over the period, as many as asked for."""
    days = open_days(clock, res)
    grid = slot_grid(res.template.hours, res.template.block_minutes)
    if days is clock.days:
        total = sum(n * len(slots) for n, slots in zip(clock.weekday_counts, grid))
    else:
        total = sum(len(grid[d.weekday()]) for d in days)
    used: set[tuple[int, int]] = set()
    attempts = 0
    while len(used) < min(wanted, total) and attempts < 4 * wanted + 100:
        attempts += 1
        i = rng.randrange(len(days))
        slots = grid[days[i].weekday()]
        if not slots:
            continue
        j = rng.randrange(len(slots))
        if (i, j) in used:
            continue
        used.add((i, j))
        yield days[i], slots[j][0], slots[j][1]
