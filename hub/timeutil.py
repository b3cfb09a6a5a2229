"""Datetimes: aware and UTC inside, Europe/Paris for people and naive input."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
# Years a client may name. Far inside datetime's 1..9999, so that converting to UTC or
# Paris time, or adding a period's default length, never overflows (a 500).
MIN_YEAR, MAX_YEAR = 1900, 2100


class YearOutOfRange(ValueError):
    """A well-formed date outside MIN_YEAR..MAX_YEAR."""


def parse_datetime(value: object) -> datetime:
    """ISO 8601; with an offset it is that instant, without one Europe/Paris time.

    Raises ValueError for anything else, YearOutOfRange (a ValueError) for a year
    outside MIN_YEAR..MAX_YEAR.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValueError("not an ISO 8601 string")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise YearOutOfRange(f"year outside {MIN_YEAR}..{MAX_YEAR}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=PARIS)
    return parsed.astimezone(timezone.utc)


def to_iso(value: datetime | None) -> str | None:
    """An instant as ISO 8601 in Paris time, with its offset."""
    if value is None:
        return None
    return value.astimezone(PARIS).isoformat()


def local(value: datetime) -> datetime:
    return value.astimezone(PARIS)


def duration_text(minutes: int) -> str:
    """A duration in French: "2 jours", "1 h 30", "45 min"."""
    if minutes >= 24 * 60 and minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return f"{days} jour{'s' if days > 1 else ''}"
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest:02d}"
    if hours:
        return f"{hours} h"
    return f"{rest} min"
