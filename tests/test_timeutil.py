from datetime import datetime, timezone

import pytest

from hub.timeutil import duration_text, parse_datetime, to_iso


def test_a_datetime_without_offset_is_paris_local_time():
    # 10:00 in Paris in winter is 09:00 UTC.
    assert parse_datetime("2026-12-01T10:00") == datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def test_a_datetime_with_an_offset_is_that_instant():
    assert parse_datetime("2026-07-01T10:00Z") == datetime(2026, 7, 1, 10, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("value", ["", "demain", 12, None, "2026-13-01T10:00"])
def test_anything_else_is_refused(value):
    with pytest.raises(ValueError):
        parse_datetime(value)


def test_responses_carry_the_paris_offset():
    assert to_iso(datetime(2026, 7, 1, 8, 0, tzinfo=timezone.utc)) == "2026-07-01T10:00:00+02:00"


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(45, "45 min"), (60, "1 h"), (90, "1 h 30"), (1440, "1 jour"), (2880, "2 jours"), (1500, "25 h")],
)
def test_durations_read_in_french(minutes, text):
    assert duration_text(minutes) == text
