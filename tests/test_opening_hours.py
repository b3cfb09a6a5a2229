"""The free slots offered within opening hours (hub.rules.calendar, pure)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hub.rules.calendar import free_slots

def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2030, 1, 7, hour, minute, tzinfo=timezone.utc)


def test_free_slots_offer_one_slot_per_free_stretch_after_the_asked_time():  # type: ignore[no-untyped-def]
    intervals = [
        {"start": at(8), "end": at(10), "free": 1, "closed": False},
        {"start": at(10), "end": at(12), "free": 0, "closed": False},
        {"start": at(12), "end": at(13), "free": 1, "closed": False},  # too short for 2 h
        {"start": at(13), "end": at(14), "free": 1, "closed": True},
        {"start": at(14), "end": at(18), "free": 1, "closed": False},
        {"start": at(18), "end": at(20), "free": 1, "closed": True},
    ]
    slots = free_slots(intervals, at(9, 10), timedelta(hours=2), 1)
    assert slots == [(at(14), at(16))]
    assert free_slots(intervals, at(7, 50), timedelta(hours=2), 1) == [(at(8), at(10)), (at(14), at(16))]


def test_free_slots_need_room_for_the_quantity():  # type: ignore[no-untyped-def]
    intervals = [{"start": at(8), "end": at(12), "free": 1, "closed": False},
                 {"start": at(12), "end": at(16), "free": 3, "closed": False}]
    assert free_slots(intervals, at(8), timedelta(hours=1), 2) == [(at(12), at(13))]
