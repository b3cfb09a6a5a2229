"""What each user wants to be told: one row per user who changed a preference."""
from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from models.base import Base

# The contract's categories ("Messages"), in the order pages show them.
NOTIFICATION_CATEGORIES = ("booking_requests", "booking_updates", "reminders")


class NotificationPreference(Base):
    """A missing row means every category is on: nobody has to opt in to be told."""

    __tablename__ = "notification_preferences"

    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    booking_requests: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    booking_updates: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    reminders: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())

    def __repr__(self) -> str:
        return f"<NotificationPreference {self.user_id}>"
