"""Compact aggregates of the served flows, kept current by every booking transition."""
from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from models.base import Base


class FlowMonth(Base):
    """External bookings that count (confirmed, not a no-show) of one host place's resources
    of one kind, made for one other place, starting in one Paris month.

    `hub.services.analytics` moves these counters in the transaction that changes a
    booking; `flask analytics rebuild` recomputes them from the bookings. Durations are
    whole seconds so that sums are exact in any order (float hours are not).
    """

    __tablename__ = "analytics_flows"
    __table_args__ = (
        sa.CheckConstraint("bookings >= 0", name="bookings_positive"),
        sa.CheckConstraint("beneficiaries >= 0", name="beneficiaries_positive"),
        sa.CheckConstraint("verified >= 0", name="verified_positive"),
        sa.CheckConstraint("seconds >= 0", name="seconds_positive"),
        # Whole-period reads scan by month.
        sa.Index("ix_analytics_flows_month", "month"),
    )

    host_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("places.id", ondelete="CASCADE"), primary_key=True
    )
    place_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("places.id", ondelete="CASCADE"), primary_key=True
    )
    # "YYYY-MM", the month of the bookings' start in Europe/Paris time.
    month: so.Mapped[str] = so.mapped_column(sa.String(7), primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(12), primary_key=True)
    bookings: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)
    beneficiaries: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    # Beneficiaries of bookings whose attendance was recorded.
    verified: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    seconds: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)


class _Counters:
    bookings: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)
    beneficiaries: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    verified: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    seconds: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)


class FlowTotal(_Counters, Base):
    """The same counters over all time, per (host place, booking place, kind): the
    unbounded period (the dashboard's default) reads ~16,000 rows, not every month's."""

    __tablename__ = "analytics_totals"
    __table_args__ = (
        sa.CheckConstraint("bookings >= 0", name="bookings_positive"),
        sa.CheckConstraint("beneficiaries >= 0", name="beneficiaries_positive"),
        sa.CheckConstraint("verified >= 0", name="verified_positive"),
        sa.CheckConstraint("seconds >= 0", name="seconds_positive"),
    )

    host_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("places.id", ondelete="CASCADE"), primary_key=True
    )
    place_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("places.id", ondelete="CASCADE"), primary_key=True
    )
    kind: so.Mapped[str] = so.mapped_column(sa.String(12), primary_key=True)
    # The `AnalyticsClock.n` of the transaction that last moved the row: a reader that
    # holds the rows up to some n fetches only those above it.
    seq: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0, server_default="0", index=True)


class AnalyticsClock(Base):
    """One row: a counter every transaction that moves `analytics_totals` bumps first.

    Bumping it locks the row until the commit (PostgreSQL; SQLite writes one at a time),
    so transactions commit in the order of their numbers and the rows above a number
    are exactly the changes since it. `epoch` moves when a rebuild rewrites every row.
    """

    __tablename__ = "analytics_clock"

    id: so.Mapped[int] = so.mapped_column(sa.Integer, primary_key=True)
    n: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    epoch: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)


class MonthPlace(_Counters, Base):
    """The same counters per (Paris month, booking place), all hosts together: the
    monthly series by territory of the served place."""

    __tablename__ = "analytics_months"
    __table_args__ = (
        sa.CheckConstraint("bookings >= 0", name="bookings_positive"),
        sa.CheckConstraint("beneficiaries >= 0", name="beneficiaries_positive"),
        sa.CheckConstraint("verified >= 0", name="verified_positive"),
        sa.CheckConstraint("seconds >= 0", name="seconds_positive"),
    )

    month: so.Mapped[str] = so.mapped_column(sa.String(7), primary_key=True)
    place_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("places.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # As `FlowTotal.seq`.
    seq: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0, server_default="0", index=True)
