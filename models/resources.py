"""Resources a fabrique opens to others, their closures and training sessions."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from models.base import Base, UTCDateTime, in_list, utcnow
from models.places import Place

RESOURCE_KINDS = ("machine", "space", "training", "incubation", "loan")


class Resource(Base):
    __tablename__ = "resources"
    __table_args__ = (
        sa.CheckConstraint(in_list("kind", RESOURCE_KINDS), name="kind_known"),
        sa.CheckConstraint("capacity >= 1", name="capacity_positive"),
        sa.CheckConstraint("length(name) > 0", name="name_not_empty"),
        sa.CheckConstraint(
            "max_hours_per_week IS NULL OR max_hours_per_week > 0", name="quota_positive"
        ),
        sa.CheckConstraint(
            "min_duration_minutes IS NULL OR min_duration_minutes > 0", name="min_duration_positive"
        ),
        sa.CheckConstraint(
            "max_duration_minutes IS NULL OR min_duration_minutes IS NULL"
            " OR max_duration_minutes >= min_duration_minutes",
            name="duration_bounds_ordered",
        ),
        sa.CheckConstraint(
            "min_notice_minutes IS NULL OR min_notice_minutes >= 0", name="notice_positive"
        ),
        sa.CheckConstraint("prerequisite_id IS NULL OR prerequisite_id <> id", name="not_own_prerequisite"),
        sa.CheckConstraint(
            "qualification_valid_days IS NULL OR qualification_valid_days > 0", name="validity_positive"
        ),
        sa.CheckConstraint("max_beneficiaries >= 1", name="max_beneficiaries_positive"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    place_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("places.id", ondelete="CASCADE"), index=True
    )
    kind: so.Mapped[str] = so.mapped_column(sa.String(12), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    capacity: so.Mapped[int] = so.mapped_column(sa.Integer, default=1)
    requires_approval: so.Mapped[bool] = so.mapped_column(sa.Boolean, default=False)
    prerequisite_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("resources.id", ondelete="SET NULL")
    )
    # {"mon": [["09:00", "18:00"]], ...} in Europe/Paris local time; None = always open.
    opening_hours: so.Mapped[dict[str, Any] | None] = so.mapped_column(sa.JSON)
    max_hours_per_week: so.Mapped[float | None] = so.mapped_column(sa.Float)
    min_duration_minutes: so.Mapped[int | None] = so.mapped_column(sa.Integer)
    max_duration_minutes: so.Mapped[int | None] = so.mapped_column(sa.Integer)
    min_notice_minutes: so.Mapped[int | None] = so.mapped_column(sa.Integer)
    # The most beneficiaries one booking may declare: a booker cannot inflate the figures.
    max_beneficiaries: so.Mapped[int] = so.mapped_column(sa.Integer, default=100, server_default="100")
    archived_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    # Trainings: how long the qualification they grant lasts; None = forever.
    qualification_valid_days: so.Mapped[int | None] = so.mapped_column(sa.Integer)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    # Name and description folded for accent-blind search (hub.rules.finding.search_key),
    # kept up to date on every flush by hub.services.catalogue.
    search_text: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")

    place: so.Mapped[Place] = so.relationship(back_populates="resources")
    prerequisite: so.Mapped[Resource | None] = so.relationship(remote_side=[id])
    closures: so.Mapped[list[Closure]] = so.relationship(
        back_populates="resource", cascade="all, delete-orphan", order_by="Closure.start_at"
    )
    sessions: so.Mapped[list[TrainingSession]] = so.relationship(
        back_populates="resource", cascade="all, delete-orphan", order_by="TrainingSession.start_at"
    )

    def __repr__(self) -> str:
        return f"<Resource {self.id} {self.kind} {self.name!r}>"


class Closure(Base):
    """A period (maintenance, holidays) during which no booking may overlap."""

    __tablename__ = "closures"
    __table_args__ = (sa.CheckConstraint("end_at > start_at", name="period_ordered"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    resource_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("resources.id", ondelete="CASCADE"), index=True
    )
    start_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime())
    end_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime())
    reason: so.Mapped[str] = so.mapped_column(sa.String(200), default="")

    resource: so.Mapped[Resource] = so.relationship(back_populates="closures")


class TrainingSession(Base):
    __tablename__ = "training_sessions"
    __table_args__ = (
        sa.CheckConstraint("end_at > start_at", name="period_ordered"),
        sa.CheckConstraint("seats >= 1", name="seats_positive"),
        # The seat counter (confirmed + pending quantities) can never pass the seats.
        sa.CheckConstraint("seats_taken >= 0 AND seats_taken <= seats", name="seats_not_oversold"),
        # The sessions of a period, across the network (the catalogue's free filter).
        sa.Index("ix_training_sessions_start_at", "start_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    resource_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("resources.id", ondelete="CASCADE"), index=True
    )
    start_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime())
    end_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime())
    seats: so.Mapped[int] = so.mapped_column(sa.Integer)
    seats_taken: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    # A cancelled session stays, for the history of its (cancelled) bookings.
    cancelled_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime(), nullable=True)

    resource: so.Mapped[Resource] = so.relationship(back_populates="sessions")
