"""Capacity rules without a database: occupancy, free/busy, weekly quota, exclusivity."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from hub.rules import capacity
from hub.timeutil import PARIS

T = [datetime(2030, 1, 1, h, tzinfo=timezone.utc) for h in range(12)]


def local(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=PARIS).astimezone(timezone.utc)


def test_peak_use_treats_periods_as_half_open():
    assert capacity.peak_use([(T[0], T[1], 2), (T[1], T[2], 3)]) == 3
    assert capacity.peak_use([(T[0], T[3], 2), (T[1], T[2], 3), (T[2], T[4], 1)]) == 5
    assert capacity.peak_use([]) == 0


def test_peak_within_counts_only_the_window():
    rows = [(T[0], T[2], 2), (T[3], T[5], 3), (T[4], T[6], 1)]
    assert capacity.peak_within(rows, T[1], T[3]) == 2
    assert capacity.peak_within(rows, T[2], T[4]) == 3
    assert capacity.peak_within(rows, T[4], T[5]) == 4


def test_only_one_at_a_time_resources_booked_by_time_are_exclusive():
    assert capacity.is_exclusive("machine", 1) and capacity.is_exclusive("incubation", 1)
    assert not capacity.is_exclusive("machine", 2)
    assert not capacity.is_exclusive("training", 1)


def test_free_busy_merges_equal_neighbours_and_marks_closures():
    intervals = capacity.free_busy(3, T[0], T[10],
                                   bookings=[(T[2], T[4], 2), (T[4], T[5], 2), (T[8], T[11], 1)],
                                   closed=[(T[6], T[7])])
    assert [(i["start"].hour, i["end"].hour, i["free"], i["closed"]) for i in intervals] == [
        (0, 2, 3, False), (2, 5, 1, False), (5, 6, 3, False), (6, 7, 3, True), (7, 8, 3, False),
        (8, 10, 2, False)]


def test_free_busy_never_shows_negative_room():
    (interval,) = capacity.free_busy(1, T[0], T[1], bookings=[(T[0], T[1], 1), (T[0], T[1], 1)], closed=[])
    assert interval["free"] == 0


def test_quota_counts_each_week_a_long_booking_touches():
    sunday = date(2030, 1, 13)
    monday = sunday + timedelta(days=1)
    booked = [(local(sunday, 8), local(sunday, 16))]  # 8 h in the week of 7 January
    # Sunday 20:00 -> Monday 04:00: 4 h this week (12 with the 8), 4 h the next.
    breach = capacity.quota_breach(10, booked, local(sunday, 20), local(monday, 4))
    assert breach == ("Ce lieu peut réserver cette ressource 10 h par semaine ; "
                      "il en reste 2 h la semaine du 07/01/2030.")
    assert capacity.quota_breach(10, booked, local(sunday, 22), local(monday, 6)) is None
    assert capacity.quota_breach(None, booked, local(sunday, 0), local(monday, 23)) is None


def test_quota_window_spans_whole_paris_weeks():
    first, last = capacity.quota_window(local(date(2030, 1, 9), 10), local(date(2030, 1, 15), 10))
    assert first == local(date(2030, 1, 7), 0) and last == local(date(2030, 1, 21), 0)
