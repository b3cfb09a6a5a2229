"""Read-side queries for the catalogue, back-office and calendar pages.

Booking rules live in `hub.services.bookings` and `hub.services.resources`; what a page
makes of these rows (week grids, sentences, badges) lives beside the pages in
`hub.web.views.catalogue`, the files users download in `hub.services.exports`.
The one write here is the user's private calendar-feed token.
"""
from __future__ import annotations

import logging
import secrets
from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from hub.extensions import db
from hub.reference import DEPARTEMENTS
from hub.rules import labels
from hub.services import audit
from hub.services import resources as resources_service
from models import (
    ACTIVE_STATUSES,
    Booking,
    Membership,
    Place,
    Resource,
    User,
    utcnow,
)

logger = logging.getLogger(__name__)

# A calendar feed lists what is coming and the recent past, not years of history.
FEED_PAST_DAYS = 90


def catalogue(*, kind: str | None, q: str | None, departement: str | None, page: int,
              per_page: int) -> tuple[list[Resource], int, int]:
    """Non-archived resources of every place, filtered: one page of them (with their place),
    the total, and the page number actually shown (the last one when `page` is past it)."""
    if kind not in labels.RESOURCE_KIND:
        kind = None
    if departement not in DEPARTEMENTS:
        departement = None
    select = resources_service.search_resources(kind=kind, q=q or None, departement=departement)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(select.order_by(None).subquery())) or 0
    page = min(page, max(1, -(-total // per_page)))
    items = list(
        db.session.scalars(
            select.options(so.joinedload(Resource.place)).limit(per_page).offset((page - 1) * per_page)
        ).unique()
    )
    return items, total, page


def managed_places(user: User) -> list[Place]:
    """The places whose back office the user may open: those they manage
    (hub.rules.permissions.may_run_hub)."""
    return list(
        db.session.scalars(
            sa.select(Place)
            .join(Membership)
            .where(Membership.user_id == user.id, Membership.role == "manager")
            .order_by(Place.name)
        )
    )


def attendance_due(place: Place) -> list[Booking]:
    """Confirmed bookings of the place's resources that ended and whose attendance is unknown."""
    return list(
        db.session.scalars(
            sa.select(Booking)
            .join(Resource, Booking.resource_id == Resource.id)
            .options(so.joinedload(Booking.place), so.joinedload(Booking.resource))
            .where(
                Resource.place_id == place.id,
                Booking.status == "confirmed",
                Booking.attended.is_(None),
                Booking.end_at <= utcnow(),
            )
            .order_by(Booking.end_at.desc())
            .limit(200)
        )
    )


def bookings_to_export(place: Place) -> list[Booking]:
    """Every booking of the place's resources, with what the export shows of each."""
    return list(
        db.session.scalars(
            sa.select(Booking)
            .join(Resource, Booking.resource_id == Resource.id)
            .options(
                so.joinedload(Booking.resource),
                so.joinedload(Booking.place),
                so.joinedload(Booking.user),
            )
            .where(Resource.place_id == place.id)
            .order_by(Booking.start_at, Booking.id)
        )
    )


def user_by_calendar_token(token: str) -> User | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(sa.select(User).where(User.calendar_token == token))


def feed_bookings(user: User) -> list[Booking]:
    """Pending and confirmed bookings of the user's places, from the recent past onwards."""
    place_ids = sa.select(Membership.place_id).where(Membership.user_id == user.id)
    return list(
        db.session.scalars(
            sa.select(Booking)
            .options(
                so.joinedload(Booking.place),
                so.joinedload(Booking.resource).joinedload(Resource.place),
            )
            .where(
                Booking.place_id.in_(place_ids),
                Booking.status.in_(ACTIVE_STATUSES),
                Booking.end_at >= utcnow() - timedelta(days=FEED_PAST_DAYS),
            )
            .order_by(Booking.start_at)
        )
    )


def regenerate_calendar_token(user: User) -> str:
    """A new secret feed token for the user; the old feed URL stops working."""
    user.calendar_token = secrets.token_urlsafe(32)
    db.session.flush()
    audit.record(user, "user.calendar_token_regenerated", user)
    return user.calendar_token
