"""Calendar rules without a database: opening hours, weeks in Paris time, periods."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from hub.rules import calendar
from hub.timeutil import PARIS

NOW = datetime(2030, 1, 7, 8, 0, tzinfo=timezone.utc)  # a Monday, 09:00 in Paris


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS).astimezone(timezone.utc)


# ---------------------------------------------------------------- opening hours

def test_opening_hours_read_from_json_text():
    text = '{"sat": [["10:00", "13:00"]], "mon": [["14:00", "18:00"], ["09:00", "12:00"]], "sun": [["00:00", "24:00"]]}'
    assert calendar.parse_opening_hours(text) == {
        "mon": [["09:00", "12:00"], ["14:00", "18:00"]],
        "sat": [["10:00", "13:00"]],
        "sun": [["00:00", "24:00"]],
    }


@pytest.mark.parametrize("value", ["lundi", "lun 9h-", "xyz 09:00-12:00", '{"mon": ', "lun 12:00-09:00",
                                   '{"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}', '{"lundi": []}'])
def test_opening_hours_reject_malformed_text(value):
    with pytest.raises(ValueError):
        calendar.parse_opening_hours(value)


def test_empty_opening_hours_mean_always_open():
    assert calendar.parse_opening_hours("") is None
    assert calendar.parse_opening_hours(None) is None
    assert calendar.within_opening_hours("machine", None, local(date(2030, 1, 7), 3), local(date(2030, 1, 7), 4))


def test_opening_hours_are_paris_time_across_daylight_saving():
    hours = {"mon": [["09:00", "18:00"]], "sun": [["22:00", "24:00"]]}
    winter, summer = date(2030, 1, 7), date(2030, 7, 1)  # Mondays
    for day in (winter, summer):
        assert calendar.within_opening_hours("machine", hours, local(day, 9), local(day, 18))
        assert not calendar.within_opening_hours("machine", hours, local(day, 8, 30), local(day, 10))
    sunday = date(2030, 1, 6)
    assert calendar.within_opening_hours("space", hours, local(sunday, 22), local(sunday + timedelta(days=1), 0))
    assert not calendar.within_opening_hours("space", hours, local(sunday, 23), local(sunday + timedelta(days=1), 10))


def test_opening_hours_do_not_apply_to_incubation_nor_training():
    hours = {"mon": [["09:00", "18:00"]]}
    for kind in ("incubation", "training"):
        assert calendar.within_opening_hours(kind, hours, local(date(2030, 1, 7), 0), local(date(2030, 3, 7), 0))


def test_the_french_weekday_names_follow_the_keys():
    assert [calendar.WEEKDAY_LABELS[d] for d in calendar.WEEKDAYS] == [
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def test_outside_opening_covers_the_nights_and_closed_days():
    hours = {"tue": [["09:00", "17:00"]]}
    tuesday = date(2030, 1, 8)
    day_start, day_end = local(tuesday, 0), local(tuesday + timedelta(days=1), 0)
    closed = calendar.outside_opening(hours, day_start, day_end)
    clipped = [(max(s, day_start), min(e, day_end)) for s, e in closed if s < day_end and e > day_start]
    assert clipped == [(day_start, local(tuesday, 9)), (local(tuesday, 17), day_end)]


# ---------------------------------------------------------------- weeks

def test_weeks_start_on_monday_midnight_in_paris():
    thursday_evening = datetime(2030, 1, 10, 22, 30, tzinfo=timezone.utc)
    assert calendar.week_start(thursday_evening) == datetime(2030, 1, 6, 23, 0, tzinfo=timezone.utc)
    # Sunday 23:30 in Paris is still the week before.
    sunday_late = datetime(2030, 1, 6, 22, 30, tzinfo=timezone.utc)
    assert calendar.week_start(sunday_late) == datetime(2029, 12, 30, 23, 0, tzinfo=timezone.utc)


def test_a_week_with_a_clock_change_lasts_167_or_169_hours():
    spring = calendar.week_start(datetime(2031, 3, 27, 12, tzinfo=timezone.utc))  # clocks go forward on the 30th
    autumn = calendar.week_start(datetime(2031, 10, 23, 12, tzinfo=timezone.utc))  # back on the 26th
    assert calendar.next_week(spring) - spring == timedelta(hours=167)
    assert calendar.next_week(autumn) - autumn == timedelta(hours=169)
    assert calendar.next_week(spring).astimezone(PARIS).hour == 0


def test_months_are_added_in_paris_time_and_keep_within_the_month():
    assert calendar.add_months(datetime(2030, 8, 31, 10, tzinfo=PARIS), 18) == datetime(
        2032, 2, 29, 10, tzinfo=PARIS)
    # 10:00 in Paris stays 10:00 in Paris across the clock change.
    winter_ten = datetime(2030, 1, 15, 9, tzinfo=timezone.utc)
    assert calendar.add_months(winter_ten, 6).astimezone(PARIS).hour == 10


# ---------------------------------------------------------------- periods

def test_a_period_must_end_after_it_starts():
    errors = calendar.period_errors(NOW + timedelta(hours=2), NOW + timedelta(hours=1), NOW)
    assert errors == {"end": "La fin doit être après le début."}


def test_a_session_or_booking_may_not_start_in_the_past():
    assert calendar.period_errors(NOW - timedelta(minutes=1), NOW + timedelta(hours=1), NOW) == {
        "start": "Le début est déjà passé."}


def test_a_closure_may_have_begun_but_not_ended():
    assert calendar.period_errors(NOW - timedelta(days=1), NOW + timedelta(hours=1), NOW, ended_only=True) == {}
    assert calendar.period_errors(NOW - timedelta(days=1), NOW, NOW, ended_only=True) == {
        "end": "Cette période est déjà passée."}


def booking(start: datetime, end: datetime, **rules) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return calendar.period_errors(start, end, NOW, booking=True, kind="machine", **rules)


def test_a_booking_keeps_its_notice_and_durations():
    assert booking(NOW + timedelta(hours=1), NOW + timedelta(hours=2), notice_minutes=24 * 60) == {
        "start": "Réservez au moins 1 jour à l'avance."}
    assert booking(NOW + timedelta(hours=1), NOW + timedelta(hours=1, minutes=20), min_minutes=30) == {
        "end": "La durée minimale est de 30 min."}
    assert booking(NOW + timedelta(hours=1), NOW + timedelta(hours=4), max_minutes=120) == {
        "end": "La durée maximale est de 2 h."}
    assert booking(NOW + timedelta(hours=1), NOW + timedelta(hours=3), max_minutes=120) == {}


def test_without_a_maximum_duration_a_booking_lasts_at_most_a_year():
    start = NOW + timedelta(days=1)
    assert booking(start, start + timedelta(days=365)) == {}
    assert "1 an" in booking(start, start + timedelta(days=366))["end"]
    # A resource's own maximum, even above a year, is the rule (the horizon still holds).
    assert booking(start, start + timedelta(days=400), max_minutes=500 * 24 * 60) == {}


def test_a_booking_may_not_end_more_than_eighteen_months_ahead():
    start = NOW + timedelta(days=500)
    assert booking(start, start + timedelta(days=40)) == {}  # ends 17.9 months ahead
    errors = booking(start, start + timedelta(days=50))
    assert set(errors) == {"end"} and "18 mois" in errors["end"] and "07/07/2031" in errors["end"]
    # The period of the finding: a space from 2030 to the year 9000.
    far = datetime(9000, 1, 1, tzinfo=timezone.utc)
    assert set(calendar.period_errors(NOW + timedelta(days=1), far, NOW, booking=True, kind="space")) == {"end"}


def test_a_booking_outside_opening_hours_is_refused_on_its_start():
    hours = {"mon": [["09:00", "12:00"]]}
    monday = date(2030, 1, 14)
    assert booking(local(monday, 10), local(monday, 12), opening_hours=hours) == {}
    assert booking(local(monday, 11), local(monday, 13), opening_hours=hours) == {
        "start": "Ce créneau sort des horaires d'ouverture de la ressource."}
