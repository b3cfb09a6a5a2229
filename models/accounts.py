"""Accounts: users, their API tokens, and failed log-ins (for throttling)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin

from models.base import Base, UTCDateTime, in_list, utcnow

if TYPE_CHECKING:
    from models.notifications import NotificationPreference
    from models.places import Membership

GLOBAL_ROLES = ("admin", "anct")
# What a token row gets when its maker names no expiry (the API's default is
# API_TOKEN_LIFETIME_DAYS, the same year unless configured).
DEFAULT_TOKEN_LIFETIME = timedelta(days=365)


def _default_token_expiry() -> datetime:
    return utcnow() + DEFAULT_TOKEN_LIFETIME


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        # Emails are stored lower-cased, so a plain UNIQUE is case-insensitive.
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        sa.CheckConstraint(f"role IS NULL OR {in_list('role', GLOBAL_ROLES)}", name="role_known"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(256))
    role: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    calendar_token: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    # Part of the login session's id (get_id): raising it ends every session of the user,
    # cookies and remember-me cookies alike, since the loader refuses an old version.
    session_version: so.Mapped[int] = so.mapped_column(default=1, server_default="1")
    # When the owner last proved the address is theirs (a link of account.verify, an
    # invitation, a password reset); None until then. Nothing waits for it but the banner.
    email_verified_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    memberships: so.Mapped[list[Membership]] = so.relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    tokens: so.Mapped[list[ApiToken]] = so.relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    # None until the user changes a preference (every category is on until then).
    notification_preferences: so.Mapped[NotificationPreference | None] = so.relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def roles(self) -> list[str]:
        return [self.role] if self.role else []

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # SHA-256 of the token: the token itself is shown once and never stored.
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=_default_token_expiry)
    # Updated at most once an hour (hub/api auth_required): not a write per request.
    last_used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    user: so.Mapped[User] = so.relationship(back_populates="tokens")


class LoginFailure(Base):
    __tablename__ = "login_failures"
    __table_args__ = (
        sa.Index("ix_login_failures_email_at", "email", "at"),
        sa.Index("ix_login_failures_client_at", "client", "at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254))
    # The client's address (request.remote_addr, behind TRUSTED_PROXIES); "" when unknown.
    client: so.Mapped[str] = so.mapped_column(sa.String(64), default="", server_default="")
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)


ONE_TIME_PURPOSES = ("verify", "reset", "invitation")


class OneTimeToken(Base):
    """A link sent by mail that works once: an address to verify (`email` is the address the
    link proves, which differs from the user's while an email change waits), a password
    reset, or an invitation of an address into a place (no user yet: `email`, `place_id`
    and `role` say who joins where)."""

    __tablename__ = "one_time_tokens"
    __table_args__ = (
        sa.CheckConstraint(in_list("purpose", ONE_TIME_PURPOSES), name="purpose_known"),
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        sa.CheckConstraint(
            "purpose <> 'invitation' OR (place_id IS NOT NULL AND role IN ('manager', 'member'))",
            name="invitation_names_place_and_role",
        ),
        sa.CheckConstraint("purpose = 'invitation' OR user_id IS NOT NULL", name="account_token_has_user"),
        # The throttles count a purpose's recent tokens for one address.
        sa.Index("ix_one_time_tokens_email_purpose_created_at", "email", "purpose", "created_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    purpose: so.Mapped[str] = so.mapped_column(sa.String(16))
    # SHA-256 of the token, as for API tokens: the link itself is only in the message.
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    user_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    email: so.Mapped[str] = so.mapped_column(sa.String(254))
    place_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("places.id", ondelete="CASCADE"))
    role: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime())
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
