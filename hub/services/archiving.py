"""Withdrawing a resource from the catalogue: its future live bookings are cancelled
through the booking service (each place is told, as for any cancellation), so that no
booking points at a resource nobody can book any more."""
from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from hub.extensions import db
from hub.services import bookings as bookings_service
from hub.services import resources as resources_service
from hub.services.sessions import LIVE_STATUSES
from models import Booking, Resource, User, utcnow


def future_live_bookings(resource: Resource) -> list[Booking]:
    """Pending, confirmed and waitlisted bookings not yet ended: what archiving cancels."""
    return list(
        db.session.scalars(
            sa.select(Booking)
            .where(Booking.resource_id == resource.id, Booking.status.in_(LIVE_STATUSES),
                   Booking.end_at > utcnow(), Booking.attended.is_(None))
            .options(so.joinedload(Booking.place))
            # Waitlisted first: seats freed by the others must not promote them.
            .order_by(Booking.status != "waitlisted", Booking.start_at, Booking.id)
        )
    )


def future_live_counts(resources: list[Resource]) -> dict[int, int]:
    """How many bookings archiving each resource would cancel, in one query (absent: none)."""
    if not resources:
        return {}
    rows = db.session.execute(
        sa.select(Booking.resource_id, sa.func.count())
        .where(Booking.resource_id.in_([r.id for r in resources]), Booking.status.in_(LIVE_STATUSES),
               Booking.end_at > utcnow(), Booking.attended.is_(None))
        .group_by(Booking.resource_id)
    )
    return {resource_id: count for resource_id, count in rows}


def archive_resource(resource: Resource, actor: User) -> int:
    """Archive `resource` and cancel its future live bookings: how many were cancelled."""
    resources_service.require_manager(actor, resource)
    resources_service.lock_resource(resource)
    cancelled = future_live_bookings(resource)
    for booking in cancelled:
        bookings_service.cancel_booking(booking, actor)
    resources_service.archive_resource(resource, actor)
    db.session.flush()
    return len(cancelled)
