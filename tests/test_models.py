"""Column types: what the models store and give back, on both databases."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from hub import create_app
from hub.extensions import db
from hub.timeutil import PARIS
from models import Booking
from models.base import UTCDateTime


def test_datetimes_come_back_aware_in_utc_whatever_zone_they_were_given_in(make):
    hub = make.fabrique()
    machine = make.resource(hub)
    paris_start = datetime(2031, 3, 30, 3, 30, tzinfo=PARIS)  # just after the spring change
    booking = make.booking(machine, make.place(), start_at=paris_start, end_at=paris_start + timedelta(hours=1))
    db.session.expire_all()

    start = db.session.scalar(sa.select(Booking.start_at).where(Booking.id == booking.id))
    assert start == paris_start
    assert start.utcoffset() == timedelta(0)
    assert (start.hour, start.minute) == (1, 30)
    # Comparisons in SQL see the same instants.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking).where(
        Booking.start_at >= datetime(2031, 3, 30, 1, 30, tzinfo=timezone.utc),
        Booking.start_at < datetime(2031, 3, 30, 1, 30, 0, 1, tzinfo=timezone.utc),
    )) == 1


def test_postgresql_sessions_run_in_utc_beside_the_options_the_url_gives(database_url):
    """The UTC columns keep the driver's datetimes as they come on PostgreSQL: every session
    of the application must run in UTC, whatever the server's default or the URL's own
    options."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL sessions")
    separator = "&" if "?" in database_url else "?"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"{database_url}{separator}options=-c%20statement_timeout%3D7000",
                      "TESTING": True, "REDIS_URL": None})
    with app.app_context():
        try:
            assert db.session.scalar(sa.text("SHOW TimeZone")) == "UTC"
            assert db.session.scalar(sa.text("SHOW statement_timeout")) == "7s"
            moment = db.session.scalar(sa.select(sa.cast(sa.literal_column("'2031-03-30 03:30:00+02'"), UTCDateTime)))
            assert moment == datetime(2031, 3, 30, 1, 30, tzinfo=timezone.utc)
            assert moment.tzinfo is timezone.utc
        finally:
            db.session.remove()
            db.engine.dispose()


def test_a_naive_datetime_is_refused_rather_than_guessed(make):
    hub = make.fabrique()
    machine = make.resource(hub)
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        make.booking(machine, make.place(), start_at=datetime(2031, 1, 1, 10), end_at=datetime(2031, 1, 1, 11))
    db.session.rollback()


def test_sqlite_stores_the_dialects_own_text_so_every_writer_agrees(make):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's storage format")
    hub = make.fabrique()
    machine = make.resource(hub)
    start = datetime(2031, 1, 2, 9, 5, 7, 123, tzinfo=PARIS)
    booking = make.booking(machine, make.place(), start_at=start, end_at=start + timedelta(hours=1))

    stored = db.session.execute(sa.text("SELECT start_at FROM bookings WHERE id = :id"), {"id": booking.id}).scalar()
    as_sqlalchemy_writes_it = sqlite.DATETIME().bind_processor(db.engine.dialect)(
        start.astimezone(timezone.utc).replace(tzinfo=None))
    assert stored == as_sqlalchemy_writes_it == "2031-01-02 08:05:07.000123"
    # Text without microseconds (written by hand, or by CURRENT_TIMESTAMP) reads too.
    db.session.execute(sa.text("UPDATE bookings SET start_at = '2031-01-02 08:05:07' WHERE id = :id"),
                       {"id": booking.id})
    assert db.session.scalar(sa.select(Booking.start_at).where(Booking.id == booking.id)) == datetime(
        2031, 1, 2, 8, 5, 7, tzinfo=timezone.utc)
    db.session.rollback()
