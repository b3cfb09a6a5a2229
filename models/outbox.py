"""The outbox: messages written in the transaction of the change that causes them,
delivered afterwards by a worker (hub/worker.py)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from models.base import Base, UTCDateTime, in_list, utcnow

# pending: to be delivered (perhaps claimed by a worker right now, see claimed_until);
# sent: accepted by the mail server (or written to a file); failed: given up.
OUTBOX_STATUSES = ("pending", "sent", "failed")


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        sa.CheckConstraint(in_list("status", OUTBOX_STATUSES), name="status_known"),
        sa.CheckConstraint("attempts >= 0", name="attempts_positive"),
        # The workers' claim: the due pending messages, oldest first.
        sa.Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    event: so.Mapped[str] = so.mapped_column(sa.String(64))
    recipient: so.Mapped[str] = so.mapped_column(sa.String(320))
    subject: so.Mapped[str] = so.mapped_column(sa.String(255))
    # The whole message as it goes on the wire (CRLF, policy.SMTP), rendered when it was
    # queued: a retry sends the very same bytes, Message-ID included.
    raw: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    # No foreign key: the record of what was sent outlives the booking it was about.
    booking_id: so.Mapped[int | None] = so.mapped_column(sa.Integer, index=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="pending")
    attempts: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    next_attempt_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    # Retries stop at the first failure after this instant (24 h after queuing, or
    # after an admin's retry).
    retry_until: so.Mapped[datetime] = so.mapped_column(UTCDateTime())
    # A worker's lease: until then no other worker takes the message; a worker that
    # died holding it is replaced once it expires.
    claimed_until: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    claimed_by: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    last_error: so.Mapped[str | None] = so.mapped_column(sa.Text)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.event} {self.status}>"


# What the worker turns into messages after the request committed (hub/worker.py).
OUTBOX_JOB_KINDS = ("booking.created",)


class OutboxJob(Base):
    """Messages still to be built: the booking path writes this small row instead of
    rendering its messages inside the request. The worker builds them, queues them as
    OutboxMessage rows and deletes the job in one transaction: a job yields its messages
    once, and a job that failed stays for the next claim."""

    __tablename__ = "outbox_jobs"
    __table_args__ = (
        sa.CheckConstraint(in_list("kind", OUTBOX_JOB_KINDS), name="kind_known"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(64))
    # No foreign key: a job whose booking was deleted meanwhile is dropped by the worker.
    booking_id: so.Mapped[int] = so.mapped_column(sa.Integer)
    # The booking's status when the job was written: its messages are those of that
    # moment, whatever happened to the booking since.
    status: so.Mapped[str] = so.mapped_column(sa.String(16))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    # The same lease as OutboxMessage's.
    claimed_until: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    claimed_by: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    # A job that keeps failing (a template error, say) is tried JOB_ATTEMPTS times, one
    # lease apart, then set aside (failed_at) for an admin to see and retry once fixed.
    attempts: so.Mapped[int] = so.mapped_column(sa.Integer, default=0, server_default="0")
    last_error: so.Mapped[str | None] = so.mapped_column(sa.Text)
    failed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<OutboxJob {self.id} {self.kind} {self.booking_id}>"
