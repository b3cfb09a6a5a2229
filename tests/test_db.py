"""The database layer: every statement of the booking path goes through SQLAlchemy's engine
(its events, its echo, its error wrapping), and what it writes reads back as the ORM reads it."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from hub.extensions import db
from hub.services import bookings
from models import AuditEntry, Booking, utcnow


@pytest.fixture
def statements(app):  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(" ".join(statement.split()).upper())

    sa.event.listen(db.engine, "before_cursor_execute", listen)
    yield seen
    sa.event.remove(db.engine, "before_cursor_execute", listen)


def test_booking_creation_runs_every_statement_through_the_engine(make, statements):
    member = make.user()
    tiers_lieu = make.place(members=[member])
    machine = make.resource(make.fabrique())
    start = utcnow() + timedelta(days=2)
    body = {"place": tiers_lieu.slug, "start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat()}
    machine_id, member_id = machine.id, member.id
    statements.clear()

    bookings.create_booking(machine_id, member_id, body)

    assert any(s.startswith("INSERT INTO BOOKINGS") for s in statements)
    assert any(s.startswith("INSERT INTO AUDIT_LOG") for s in statements)
    target = next(s for s in statements if s.startswith("SELECT") and "JOIN MEMBERSHIPS" in s)
    if db.engine.dialect.name == "postgresql":
        assert "FOR UPDATE OF RESOURCES" in target


def test_a_new_booking_is_what_the_database_holds(make):
    member = make.user()
    tiers_lieu = make.place(members=[member])
    room = make.resource(make.fabrique(), kind="space", capacity=3, name="Salle de réunion")
    start = (utcnow() + timedelta(days=3)).replace(microsecond=123456)
    created = bookings.create_booking(room.id, member.id, {
        "place": tiers_lieu.slug, "start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat(),
        "quantity": 2, "beneficiaries": 7, "note": "Atelier"})
    db.session.commit()
    db.session.expire_all()

    stored = db.session.get(Booking, created["id"])
    assert created == bookings.booking_dict(stored)
    assert (stored.exclusive, stored.user_id, stored.start_at) == (False, member.id, start)
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "booking.created")).one()
    assert (entry.actor_id, entry.object_id, entry.data["quantity"]) == (member.id, stored.id, 2)

