"""Opening hours typed as people write them (hub.rules.calendar, pure)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from hub.rules.calendar import format_opening_hours, free_slots, parse_opening_hours

WEEK = ("mon", "tue", "wed", "thu", "fri")
MORNING_AFTERNOON = [["09:00", "12:30"], ["14:00", "18:00"]]


@pytest.mark.parametrize("text, expected", [
    ("mardi 9h-12h", {"tue": [["09:00", "12:00"]]}),
    ("lun-ven 9h-12h30, 14h-18h", {day: MORNING_AFTERNOON for day in WEEK}),
    ("du lundi au vendredi de 9h à 12h30 et de 14h à 18h", {day: MORNING_AFTERNOON for day in WEEK}),
    ("Lundi : 9h - 12h30 / 14h-18h", {"mon": MORNING_AFTERNOON}),
    ("lun 09:00-12:30 14:00-18:00", {"mon": MORNING_AFTERNOON}),  # the former format still reads
    ("lun, mer et ven 9-17", {day: [["09:00", "17:00"]] for day in ("mon", "wed", "fri")}),
    ("lun-ven 9h-18h ; sam 10h-13h", {**{day: [["09:00", "18:00"]] for day in WEEK}, "sat": [["10:00", "13:00"]]}),
    ("lun-ven 9h-18h, samedi 10h–13h\ndimanche fermé", {**{day: [["09:00", "18:00"]] for day in WEEK},
                                                         "sat": [["10:00", "13:00"]]}),
    ("ven-lun 20h-minuit", {day: [["20:00", "24:00"]] for day in ("fri", "sat", "sun", "mon")}),
    ("tous les jours midi-14h", {day: [["12:00", "14:00"]] for day in (*WEEK, "sat", "sun")}),
    ("MERCREDI 8H15-11H45", {"wed": [["08:15", "11:45"]]}),
])
def test_opening_hours_are_read_leniently(text, expected):  # type: ignore[no-untyped-def]
    assert parse_opening_hours(text) == expected


@pytest.mark.parametrize("text, named", [
    ("lundi 9h-12h, toto", "« toto »"),
    ("9h-12h", "commencez par un jour"),
    ("mardi 9h", "« 09:00 » n'a pas de fin"),
    ("mardi 9h 12h", "séparez le début et la fin par un tiret"),
    ("lundi 25h-26h", "« 25h » n'existe pas"),
    ("lundi", "indiquez les horaires de lundi"),
    ("lundi 12h-9h", "la fin doit suivre le début"),
    ("lundi 9h-12h, 11h-13h", "se chevauchent"),
])
def test_what_is_not_understood_is_named_in_french(text, named):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError) as error:
        parse_opening_hours(text)
    assert named in str(error.value)


def test_formatted_hours_group_days_and_read_back():  # type: ignore[no-untyped-def]
    hours = {**{day: MORNING_AFTERNOON for day in WEEK}, "sat": [["10:00", "13:00"]]}
    text = format_opening_hours(hours)
    assert text == "lun-ven 09:00-12:30, 14:00-18:00\nsam 10:00-13:00"
    assert parse_opening_hours(text) == hours


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
