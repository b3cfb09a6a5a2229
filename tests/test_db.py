"""hub.db.Prepared: statements run on the DB-API cursor read and write what the ORM does."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from hub.db import Prepared
from hub.extensions import db
from models import AuditEntry, Booking, Resource

RESOURCES = Resource.__table__
BOOKINGS = Booking.__table__
RESOURCE_BY_ID = Prepared(sa.select(RESOURCES).where(RESOURCES.c.id == sa.bindparam("id")))


def test_rows_come_back_converted_as_the_orm_reads_them(make):
    hub = make.fabrique()
    archived = datetime(2030, 5, 6, 7, 8, 9, 10, tzinfo=timezone.utc)
    room = make.resource(hub, kind="space", requires_approval=True, max_hours_per_week=7.5,
                         opening_hours={"mon": [["09:00", "18:00"]]}, archived_at=archived)

    row = RESOURCE_BY_ID.first(db.session.connection(), {"id": room.id})

    assert (row.id, row.kind, row.place_id) == (room.id, "space", hub.id)
    assert row.requires_approval is True
    assert row.max_hours_per_week == 7.5
    assert row.opening_hours == {"mon": [["09:00", "18:00"]]}
    assert row.archived_at == archived and row.archived_at.tzinfo is not None
    assert RESOURCE_BY_ID.first(db.session.connection(), {"id": room.id + 1000}) is None


def test_literals_in_the_statement_keep_their_values(make):
    hub, tiers_lieu = make.fabrique(), make.place()
    machine = make.resource(hub)
    soon = datetime.now(timezone.utc) + timedelta(days=1)
    kept = make.booking(machine, tiers_lieu, start=soon, status="confirmed")
    make.booking(machine, tiers_lieu, start=soon + timedelta(hours=3), status="cancelled")
    confirmed = Prepared(sa.select(BOOKINGS.c.id).where(
        BOOKINGS.c.resource_id == sa.bindparam("rid"), BOOKINGS.c.status == "confirmed"))

    assert [row.id for row in confirmed.rows(db.session.connection(), {"rid": machine.id})] == [kept.id]


def test_an_insert_writes_what_the_orm_reads_back(make):
    user = make.user()
    at = datetime(2031, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    insert = Prepared(sa.insert(AuditEntry.__table__))
    insert.rows(db.session.connection(), {"at": at, "actor_id": user.id, "action": "test.done",
                                          "object_type": "user", "object_id": user.id, "data": {"n": 1}})

    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "test.done"))
    assert (entry.at, entry.actor_id, entry.data) == (at, user.id, {"n": 1})


def test_a_violated_constraint_is_sqlalchemys_integrity_error_and_the_session_recovers(make):
    hub, tiers_lieu = make.fabrique(), make.place()
    machine = make.resource(hub)
    start = datetime.now(timezone.utc) + timedelta(days=1)
    insert = Prepared(sa.insert(BOOKINGS).returning(BOOKINGS.c.id))
    values = {"resource_id": machine.id, "place_id": tiers_lieu.id, "start_at": start,
              "end_at": start - timedelta(hours=1),  # breaks the CHECK on the period
              "quantity": 1, "note": "", "status": "confirmed", "exclusive": True,
              "created_at": start, "updated_at": start}

    with pytest.raises(sa.exc.IntegrityError):
        insert.rows(db.session.connection(), values)
    db.session.rollback()

    values["end_at"] = start + timedelta(hours=1)
    (row,) = insert.rows(db.session.connection(), values)
    db.session.commit()
    assert db.session.get(Booking, row.id).end_at == start + timedelta(hours=1)
