"""Pure rules for finding resources: search keys, distances, free windows and slots."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from hub.rules.finding import (
    bookable_windows,
    ceil_to_step,
    free_throughout,
    next_free_start,
    search_key,
    search_words,
)
from hub.timeutil import PARIS

MONDAY = date(2030, 3, 4)
HOURS = {"mon": [["09:00", "12:00"], ["14:00", "18:00"]]}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS).astimezone(timezone.utc)


def test_search_key_folds_accents_case_and_punctuation():
    assert search_key("Découpeuse LASER", "Île-Tudy, l'Œuvre") == " decoupeuse laser ile tudy l oeuvre "
    assert search_words("  DÉCOUPEUSE   laser ") == ["decoupeuse", "laser"]
    assert search_key(None, "") == ""


def test_slots_start_on_a_quarter_hour():
    assert ceil_to_step(at(MONDAY, 9, 7)) == at(MONDAY, 9, 15)
    assert ceil_to_step(at(MONDAY, 9, 15)) == at(MONDAY, 9, 15)
    assert ceil_to_step(at(MONDAY, 9, 59) + timedelta(seconds=30)) == at(MONDAY, 10)


def test_windows_are_opening_intervals_clipped_to_the_period():
    windows = bookable_windows("machine", HOURS, at(MONDAY, 10), at(MONDAY + timedelta(days=7), 10))
    assert windows == [(at(MONDAY, 10), at(MONDAY, 12)), (at(MONDAY, 14), at(MONDAY, 18)),
                       (at(MONDAY + timedelta(days=7), 9), at(MONDAY + timedelta(days=7), 10))]
    # Trainings and incubations are not bound by opening hours.
    assert bookable_windows("incubation", HOURS, at(MONDAY, 20), at(MONDAY, 22)) == [(at(MONDAY, 20), at(MONDAY, 22))]


def test_next_free_start_waits_for_an_hour_inside_one_window():
    windows = bookable_windows("machine", HOURS, at(MONDAY, 9), at(MONDAY + timedelta(days=1), 0))
    busy = [(at(MONDAY, 9), at(MONDAY, 11, 10), 1)]
    # 11:10-12:00 is under an hour (and 11:15 is the first quarter): the afternoon opens.
    assert next_free_start(1, windows, busy, []) == at(MONDAY, 14)
    assert next_free_start(1, windows, [(at(MONDAY, 9), at(MONDAY, 10, 50), 1)], []) == at(MONDAY, 11)
    assert next_free_start(1, windows, busy, [(at(MONDAY, 13), at(MONDAY, 15))]) == at(MONDAY, 15)
    assert next_free_start(1, windows, busy, [(at(MONDAY, 13), at(MONDAY, 17, 30))]) is None


def test_next_free_start_counts_capacity_across_overlapping_bookings():
    windows = [(at(MONDAY, 9), at(MONDAY, 12))]
    busy = [(at(MONDAY, 9), at(MONDAY, 11), 1), (at(MONDAY, 9, 30), at(MONDAY, 12), 1)]
    # Both units are taken 9:30-11:00: before, half an hour; after, the hour to noon.
    assert next_free_start(2, windows, busy, []) == at(MONDAY, 11)
    assert next_free_start(2, windows, busy, [], minutes=30) == at(MONDAY, 9)
    assert next_free_start(2, windows, busy, [], minutes=120) is None
    # A run of free time may cross changes of the free count: 9:00-9:30 two free, then one.
    assert next_free_start(3, windows, busy, [], minutes=180) == at(MONDAY, 9)


def test_free_throughout_needs_a_free_unit_at_every_open_instant():
    windows = [(at(MONDAY, 9), at(MONDAY, 12))]
    assert free_throughout(1, windows, [])
    assert not free_throughout(1, windows, [(at(MONDAY, 11), at(MONDAY, 11, 30), 1)])
    assert free_throughout(2, windows, [(at(MONDAY, 8), at(MONDAY, 12), 1)])
    assert free_throughout(1, windows, [(at(MONDAY, 12), at(MONDAY, 13), 1)])
    assert not free_throughout(1, [], [])
