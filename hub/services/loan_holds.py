"""What overdue loans hold, for the booking path (hub.services.bookings) and the loans
service alike. A loan past its end and not returned holds its unit until it comes back,
and its place borrows nothing more."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from models import Booking, utcnow


def overdue_at(now: Any) -> sa.ColumnElement[bool]:
    """In SQL, `Booking.is_overdue` at `now` (a datetime or a bound parameter): a loan out
    past its end."""
    return sa.and_(Booking.status == "out", Booking.end_at <= now)


# Built once, run on the booking path's connection (see hub.services.bookings).
# For a period [start, end) that starts after the loan's end (any period still to book):
# those ending inside it are counted by the occupancy statement already.
_OVERDUE_HELD = sa.select(Booking.start_at, Booking.quantity).where(
    Booking.resource_id == sa.bindparam("rid"),
    overdue_at(sa.bindparam("now")),
    Booking.start_at < sa.bindparam("end"),
    Booking.end_at <= sa.bindparam("start"),
)
_OVERDUE_OF_PLACE = sa.select(Booking.id).where(
    Booking.place_id == sa.bindparam("pid"), overdue_at(sa.bindparam("now"))).limit(1)
# The overdue loans of many resources at once (the catalogue's next free slots).
_OVERDUE_OF_RESOURCES = sa.select(Booking.resource_id, Booking.start_at, Booking.quantity).where(
    Booking.resource_id.in_(sa.bindparam("rids", expanding=True)), overdue_at(sa.bindparam("now")))


def overdue_held(conn: sa.Connection, resource_id: int, start: datetime,
                 end: datetime) -> list[tuple[datetime, datetime, int]]:
    """(start, end, quantity) of the overdue loans of the resource, running to `end`."""
    rows = conn.execute(_OVERDUE_HELD, {"rid": resource_id, "start": start, "end": end, "now": utcnow()})
    return [(s, end, q) for s, q in rows]


def has_overdue_loan(conn: sa.Connection, place_id: int, now: datetime) -> bool:
    return conn.execute(_OVERDUE_OF_PLACE, {"pid": place_id, "now": now}).first() is not None


def overdue_by_resource(conn: sa.Connection, resource_ids: list[int], now: datetime,
                        until: datetime) -> list[tuple[int, tuple[datetime, datetime, int]]]:
    """(resource id, (start, until, quantity)) of the overdue loans of the resources: each
    holds its unit until it comes back, so through `until`."""
    rows = conn.execute(_OVERDUE_OF_RESOURCES, {"rids": resource_ids, "now": now})
    return [(rid, (s, until, q)) for rid, s, q in rows]
