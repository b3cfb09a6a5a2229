"""Bookings of resources by places, and the qualifications trainings grant."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects.postgresql import ExcludeConstraint

from models.accounts import User
from models.base import Base, UTCDateTime, in_list, utcnow
from models.places import Place
from models.resources import Resource, TrainingSession

BOOKING_STATUSES = ("pending", "confirmed", "refused", "cancelled", "waitlisted", "out", "returned")
# Statuses that hold capacity. "out": a loan checked out and not yet returned (past its end
# it keeps holding its unit: see hub.services.bookings `_OVERDUE_HELD`).
ACTIVE_STATUSES = ("pending", "confirmed", "out")
QUALIFICATION_SOURCES = ("attendance", "manual")
# Bookings longer than half a day (incubations, loans), by dialect: the predicate of their
# partial index and of the queries that use it, in the same words (SQLite uses a partial
# index only for a query that repeats its condition).
LONG_BOOKING_SQL = {
    "sqlite": "julianday(end_at) - julianday(start_at) > 0.5",
    "postgresql": "end_at - start_at > interval '12 hours'",
}


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        sa.CheckConstraint(in_list("status", BOOKING_STATUSES), name="status_known"),
        sa.CheckConstraint("end_at > start_at", name="period_ordered"),
        sa.CheckConstraint("quantity >= 1", name="quantity_positive"),
        sa.CheckConstraint(
            "beneficiaries IS NULL OR beneficiaries >= 0", name="beneficiaries_positive"
        ),
        sa.CheckConstraint(
            "attended IS NULL OR status = 'confirmed'", name="attendance_only_when_confirmed"
        ),
        # Overlap checks (`start_at < :end AND end_at > :start`) seek on `end_at > :start`:
        # they read the bookings still to come, never the resource's whole history (which
        # a seek on `start_at < :end` would walk for every booking of a period to come).
        # The only index led by resource_id, so SQLite has no tie to break.
        sa.Index("ix_bookings_resource_end", "resource_id", "end_at", "start_at"),
        sa.Index("ix_bookings_place_start", "place_id", "start_at"),
        # The network analytics cache keys on the latest change.
        sa.Index("ix_bookings_updated_at", "updated_at"),
        # The reminder pass: confirmed bookings not yet reminded, by start.
        sa.Index("ix_bookings_reminder_due", "start_at",
                 sqlite_where=sa.text("status = 'confirmed' AND reminded_at IS NULL"),
                 postgresql_where=sa.text("status = 'confirmed' AND reminded_at IS NULL")),
        # The network reads the partial months at the edges of a period by start, and the
        # catalogue's free filter the bookings that start shortly before a period
        # (hub.services.catalogue._meeting): thousands a search, which PostgreSQL reads from
        # the index alone. Not on SQLite: a covering index there would also serve
        # `start_at < :t`, and the planner (no statistics) picks it over ix_bookings_long_end
        # for the long bookings, a scan of the whole past.
        sa.Index("ix_bookings_start_at", "start_at",
                 postgresql_include=["end_at", "resource_id", "quantity", "status"]),
        # Who holds a period, across the network (the catalogue's free filter): bookings that
        # start shortly before it by start, the few long ones by their end.
        sa.Index("ix_bookings_long_end", "end_at",
                 sqlite_where=sa.text(LONG_BOOKING_SQL["sqlite"]),
                 postgresql_where=sa.text(LONG_BOOKING_SQL["postgresql"])),
        # Capacity-1 resources: two active bookings can never overlap, whatever the
        # application does. Larger capacities are guarded by the resource row lock.
        ExcludeConstraint(
            ("resource_id", "="),
            (sa.text("tstzrange(start_at, end_at, '[)')"), "&&"),
            where=sa.text("exclusive AND status IN ('pending', 'confirmed', 'out')"),
            using="gist",
            name="ex_bookings_no_overlap",
        ).ddl_if(dialect="postgresql"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    resource_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("resources.id", ondelete="CASCADE"))
    # The place the booking is made for (the tiers-lieu being served).
    place_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("places.id", ondelete="CASCADE"))
    user_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    session_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True
    )
    start_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime())
    end_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime())
    quantity: so.Mapped[int] = so.mapped_column(sa.Integer, default=1)
    beneficiaries: so.Mapped[int | None] = so.mapped_column(sa.Integer)
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    status: so.Mapped[str] = so.mapped_column(sa.String(12), index=True)
    refusal_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    attended: so.Mapped[bool | None] = so.mapped_column(sa.Boolean)
    # True when the resource had capacity 1: the EXCLUDE constraint then applies.
    exclusive: so.Mapped[bool] = so.mapped_column(sa.Boolean, default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )
    # When its `booking.reminder` was queued: set by a conditional UPDATE in the same
    # transaction as the message, so that it goes once whatever the number of workers.
    reminded_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    # Loans (hub.services.loans): when the kit left and came back, its state on return,
    # and the messages already sent about it (each once).
    checked_out_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    returned_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    return_condition: so.Mapped[str | None] = so.mapped_column(sa.Text)
    due_notified_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    overdue_notified_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    # The series it was booked in (hub.services.series), if any.
    series_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("booking_series.id", ondelete="SET NULL"), index=True
    )

    resource: so.Mapped[Resource] = so.relationship()
    place: so.Mapped[Place] = so.relationship()
    user: so.Mapped[User | None] = so.relationship()
    session: so.Mapped[TrainingSession | None] = so.relationship()

    @property
    def is_overdue(self) -> bool:
        """A loan out past its end: it holds its unit until it is returned."""
        return self.status == "out" and self.end_at <= utcnow()

    def __repr__(self) -> str:
        return f"<Booking {self.id} {self.status}>"


class Qualification(Base):
    """A user completed a training: granted by attendance or by a host manager."""

    __tablename__ = "qualifications"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "training_id", name="uq_qualifications_user_training"),
        sa.CheckConstraint(in_list("source", QUALIFICATION_SOURCES), name="source_known"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    training_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("resources.id", ondelete="CASCADE"), index=True
    )
    granted_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    source: so.Mapped[str] = so.mapped_column(sa.String(12))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    # When `qualification.expiring` went out (hub.services.qualifications); cleared on renewal.
    expiry_notified_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id])
    training: so.Mapped[Resource] = so.relationship()
