"""Places: creation, labelling, membership, and the network's home-page figures."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from hub.extensions import db
from models import Booking, Membership, Place, Resource, User


def network_overview() -> dict[str, Any]:
    counts = dict(db.session.execute(sa.select(Place.kind, sa.func.count()).group_by(Place.kind)).all())
    resources = db.session.scalar(
        sa.select(sa.func.count()).select_from(Resource).where(Resource.archived_at.is_(None))
    )
    return {
        "fabriques": counts.get("fabrique", 0),
        "fabriques_numeriques": counts.get("fabrique_numerique", 0),
        "tiers_lieux": counts.get("tiers_lieu", 0),
        "resources": resources or 0,
    }


def managed_place_ids(user: User) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(Membership.place_id).where(
                Membership.user_id == user.id, Membership.role == "manager"
            )
        )
    )


def pending_requests_count(place_ids: list[int]) -> int:
    if not place_ids:
        return 0
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Booking)
        .join(Resource, Booking.resource_id == Resource.id)
        .where(Resource.place_id.in_(place_ids), Booking.status == "pending")
    ) or 0


def role_in(user: User, place_id: int) -> str | None:
    """The user's role in a place ("manager", "member") or None."""
    return db.session.scalar(
        sa.select(Membership.role).where(
            Membership.user_id == user.id, Membership.place_id == place_id
        )
    )


def is_manager(user: User, place_id: int) -> bool:
    return role_in(user, place_id) == "manager"


def is_member(user: User, place_id: int) -> bool:
    """Member or manager: may book for the place and read its bookings."""
    return role_in(user, place_id) is not None


def member_places(user: User) -> list[Place]:
    """The places a user belongs to, in either role, by name."""
    return list(
        db.session.scalars(
            sa.select(Place).join(Membership).where(Membership.user_id == user.id).order_by(Place.name)
        )
    )
