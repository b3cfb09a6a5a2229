"""Reading bookings: who sees which, and the lists the pages and the API show.

Split from hub/services/bookings.py (the rules and the lifecycle), which re-exports
these names."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

import sqlalchemy as sa
import sqlalchemy.orm as so

from hub.errors import NotFound
from hub.extensions import db
from hub.rules import permissions
from hub.rules.validation import MAX_ID, Fields, id_or_404
from hub.services.places import actor_of
from models import ACTIVE_STATUSES, BOOKING_STATUSES, Booking, Membership, Place, Resource, User, utcnow


# ---------------------------------------------------------------- permissions

def _may_read(user: User, booking: Booking) -> bool:
    return permissions.may_read_booking(actor_of(user), booking.place_id, booking.resource.place_id)


# ---------------------------------------------------------------- reading

def visible_bookings(user: User, *, place: str | None = None, resource: int | None = None,
                     status: str | None = None) -> sa.Select:
    """Its places' bookings, bookings on resources it manages; everything for admin/anct."""
    query = sa.select(Booking).options(so.joinedload(Booking.place))
    actor = actor_of(user)
    if not permissions.sees_network(actor):
        # permissions.may_read_booking, as a filter over the actor's places.
        mine = [p for p in actor.places if actor.belongs_to(p)]
        hosted = sa.select(Resource.id).where(Resource.place_id.in_([p for p in actor.places if actor.manages(p)]))
        query = query.where(sa.or_(Booking.place_id.in_(mine), Booking.resource_id.in_(hosted)))
    if place:
        query = query.where(Booking.place_id.in_(sa.select(Place.id).where(Place.slug == place)))
    if resource is not None:
        query = query.where(Booking.resource_id == resource)
    if status:
        query = query.where(Booking.status == status)
    return query.order_by(Booking.start_at, Booking.id)


def get_booking(booking_id: Any) -> Booking:
    booking = db.session.get(Booking, id_or_404(booking_id, "Cette réservation n'existe pas."))
    if booking is None:
        raise NotFound("Cette réservation n'existe pas.")
    return booking


def get_visible_booking(user: User, booking_id: Any) -> Booking:
    booking = get_booking(booking_id)
    if not _may_read(user, booking):
        raise NotFound("Cette réservation n'existe pas.")
    return booking


def get_booking_page(user: User, booking_id: Any) -> Booking:
    """A booking `user` may read, with what its page shows (resource, places, booker)."""
    booking = get_visible_booking(user, booking_id)
    return db.session.scalars(
        sa.select(Booking).where(Booking.id == booking.id).options(
            so.joinedload(Booking.place),
            so.joinedload(Booking.resource).joinedload(Resource.place),
            so.joinedload(Booking.user),
        )
    ).one()


def pending_requests(manager: User) -> list[Booking]:
    """Pending bookings on resources of the places `manager` manages, oldest first."""
    managed = sa.select(Membership.place_id).where(
        Membership.user_id == manager.id, Membership.role == "manager"
    )
    return list(
        db.session.scalars(
            sa.select(Booking)
            .join(Resource, Booking.resource_id == Resource.id)
            .where(Resource.place_id.in_(managed), Booking.status == "pending")
            .options(
                so.joinedload(Booking.place),
                so.joinedload(Booking.resource).joinedload(Resource.place),
                so.joinedload(Booking.user),
            )
            .order_by(Booking.created_at, Booking.id)
        )
    )


def bookings_of_user_places(user: User, upcoming: bool, *, limit: int = 200) -> list[Booking]:
    """"My bookings": those of the places the user belongs to; upcoming soonest first,
    past most recent first."""
    mine = sa.select(Membership.place_id).where(Membership.user_id == user.id)
    now = utcnow()
    query = (
        sa.select(Booking)
        .where(Booking.place_id.in_(mine))
        .options(
            so.joinedload(Booking.place),
            so.joinedload(Booking.resource).joinedload(Resource.place),
            so.joinedload(Booking.user),
        )
        .limit(limit)
    )
    if upcoming:
        query = query.where(Booking.end_at > now).order_by(Booking.start_at, Booking.id)
    else:
        query = query.where(Booking.end_at <= now).order_by(Booking.start_at.desc(), Booking.id.desc())
    return list(db.session.scalars(query))


def bookings_of_resource(resource: Resource, start: datetime, end: datetime) -> list[Booking]:
    """Active and waitlisted bookings overlapping [start, end): a manager's week calendar."""
    return list(
        db.session.scalars(
            sa.select(Booking)
            .where(
                Booking.resource_id == resource.id,
                Booking.start_at < end,
                Booking.end_at > start,
                Booking.status.in_(ACTIVE_STATUSES + ("waitlisted",)),
            )
            .options(so.joinedload(Booking.place), so.joinedload(Booking.user))
            .order_by(Booking.start_at, Booking.id)
        )
    )


def bookings_of_place_resources(place: Place, start: datetime, end: datetime) -> list[Booking]:
    """Active and waitlisted bookings of every resource of `place` overlapping [start, end):
    the manager's calendar of the whole place."""
    return list(
        db.session.scalars(
            sa.select(Booking)
            .join(Resource, Booking.resource_id == Resource.id)
            .where(
                Resource.place_id == place.id,
                Booking.start_at < end,
                Booking.end_at > start,
                Booking.status.in_(ACTIVE_STATUSES + ("waitlisted",)),
            )
            .options(so.joinedload(Booking.place), so.joinedload(Booking.user),
                     so.joinedload(Booking.resource))
            .order_by(Booking.start_at, Booking.id)
        )
    )


def parse_filters(args: Mapping[str, Any]) -> dict[str, Any]:
    """GET /bookings filters, checked (422 on a bad one)."""
    f = Fields(args)
    filters = {
        "place": f.text("place", max_len=120),
        "resource": f.integer("resource", minimum=1, maximum=MAX_ID),
        "status": f.choice("status", BOOKING_STATUSES),
    }
    f.check()
    return filters
