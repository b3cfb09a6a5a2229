"""Deeper sharing between places: series of bookings, and trainings recognised across hubs."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from models.base import Base, UTCDateTime, in_list, utcnow
from models.places import Place
from models.resources import Resource

SERIES_EVERY = ("day", "week")


class BookingSeries(Base):
    """Bookings made together, one per day or week (their `series_id`)."""

    __tablename__ = "booking_series"
    __table_args__ = (sa.CheckConstraint(in_list("every", SERIES_EVERY), name="every_known"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    resource_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("resources.id", ondelete="CASCADE"), index=True
    )
    place_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("places.id", ondelete="CASCADE"), index=True)
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    every: so.Mapped[str] = so.mapped_column(sa.String(8))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    resource: so.Mapped[Resource] = so.relationship()
    place: so.Mapped[Place] = so.relationship()


class Recognition(Base):
    """The managers of `training`'s host accept a qualification for `recognized` (often
    another hub's training) as meeting the prerequisites that `training` meets."""

    __tablename__ = "recognitions"
    __table_args__ = (
        sa.UniqueConstraint("training_id", "recognized_id", name="uq_recognitions_pair"),
        sa.CheckConstraint("training_id <> recognized_id", name="not_itself"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    training_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("resources.id", ondelete="CASCADE"))
    recognized_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("resources.id", ondelete="CASCADE"), index=True
    )
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    training: so.Mapped[Resource] = so.relationship(foreign_keys=[training_id])
    recognized: so.Mapped[Resource] = so.relationship(foreign_keys=[recognized_id])
