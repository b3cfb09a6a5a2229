"""Training sessions after they open: edited, cancelled, their attendees and their
attendance. Every booking a change touches goes through hub.services.bookings, so its
audit line, its live event and its messages follow as for any other booking.

Choices worth knowing:
- moving a session moves its bookings with it (they carry the session's times), and each
  live booking's booker is told (booking.moved); more seats alone tell nobody;
- seats may not fall below the places already taken; more seats promote the waitlist;
- cancelling a session cancels its waitlisted bookings first, then the others: freed
  seats must not promote a booking that is about to be cancelled anyway. The session
  stays, marked cancelled, for the history of its bookings.
"""
from __future__ import annotations

import logging
from typing import Any, Mapping

import sqlalchemy as sa
import sqlalchemy.orm as so

from hub.errors import DomainError, Invalid, InvalidState, NotFound
from hub.extensions import db
from hub.rules.validation import Fields, id_or_404
from hub.services import audit, booking_messages, realtime
from hub.services import bookings as bookings_service
from hub.services.resources import MAX_CAPACITY, is_closed, lock_resource, read_period, require_manager
from hub.timeutil import to_iso
from models import ACTIVE_STATUSES, Booking, Resource, TrainingSession, User, utcnow

logger = logging.getLogger(__name__)

LIVE_STATUSES = (*ACTIVE_STATUSES, "waitlisted")


def get_session(session_id: Any, actor: User) -> TrainingSession:
    """A session of a training `actor` manages (NotFound otherwise, as for a stranger)."""
    session = db.session.scalar(
        sa.select(TrainingSession)
        .where(TrainingSession.id == id_or_404(session_id, "Cette session n'existe pas."))
        .options(so.joinedload(TrainingSession.resource).joinedload(Resource.place))
    )
    if session is None:
        raise NotFound("Cette session n'existe pas.")
    try:
        require_manager(actor, session.resource)
    except DomainError:
        raise NotFound("Cette session n'existe pas.") from None
    return session


def attendees(session: TrainingSession) -> list[Booking]:
    """Every booking of the session, live ones first, each with its place and booker."""
    rows = db.session.scalars(
        sa.select(Booking)
        .where(Booking.session_id == session.id)
        .options(so.joinedload(Booking.place), so.joinedload(Booking.user))
        .order_by(Booking.created_at, Booking.id)
    ).all()
    return sorted(rows, key=lambda b: (b.status not in LIVE_STATUSES, b.status == "waitlisted"))


def update_session(session: TrainingSession, actor: User, data: Mapping[str, Any]) -> TrainingSession:
    """Change the times and seats present in `data`; the bookings follow."""
    require_manager(actor, session.resource)
    if session.cancelled_at is not None:
        raise InvalidState("Cette session est annulée.")
    resource = lock_resource(session.resource)
    db.session.refresh(session)
    f = Fields(data)
    start, end = session.start_at, session.end_at
    if "start" in data or "end" in data:
        start, end = read_period(f, utcnow())
    seats = f.integer("seats", minimum=1, maximum=MAX_CAPACITY, default=session.seats)
    if seats is not None and seats < session.seats_taken:
        f.error("seats", f"{session.seats_taken} places sont déjà réservées : "
                         "annulez des réservations avant de réduire le nombre de places.")
    f.check()
    assert start is not None and end is not None and seats is not None
    moved = (start, end) != (session.start_at, session.end_at)
    if moved and is_closed(resource, start, end):
        raise Invalid(fields={"start": "Cette session chevaucherait une fermeture de la ressource."})
    before = (session.start_at, session.end_at, session.seats)
    if moved:
        realtime.availability_changed(resource, session.start_at, session.end_at)
        session.start_at, session.end_at = start, end
    more_seats = seats > session.seats
    session.seats = seats
    db.session.flush()
    if moved:
        for booking in db.session.scalars(sa.select(Booking).where(Booking.session_id == session.id)):
            booking.start_at, booking.end_at = start, end
            booking.updated_at = utcnow()
            db.session.flush()
            if booking.status in LIVE_STATUSES:
                audit.record(actor, "booking.moved", booking, session=session.id, start=to_iso(start), end=to_iso(end))
                realtime.booking_event(booking, "booking.updated", bookings_service.booking_dict(booking))
                booking_messages.moved(booking, before[0], before[1])
    if more_seats:
        bookings_service.promote_waitlist(session, actor)
    if moved or seats != before[2]:
        audit.record(actor, "session.updated", session, resource=resource.id, start=to_iso(start),
                     end=to_iso(end), seats=seats, previous={"start": to_iso(before[0]),
                                                             "end": to_iso(before[1]), "seats": before[2]})
        realtime.availability_changed(resource, start, end)
    return session


def cancel_session(session: TrainingSession, actor: User) -> int:
    """Cancel the session and, through the booking service, each of its live bookings:
    how many were cancelled."""
    require_manager(actor, session.resource)
    if session.cancelled_at is not None:
        raise InvalidState("Cette session est déjà annulée.")
    if session.end_at <= utcnow():
        raise InvalidState("Une session terminée ne peut plus être annulée.")
    lock_resource(session.resource)
    live = db.session.scalars(
        sa.select(Booking)
        .where(Booking.session_id == session.id, Booking.status.in_(LIVE_STATUSES))
        .order_by(Booking.status != "waitlisted", Booking.id)
    ).all()
    for booking in live:
        bookings_service.cancel_booking(booking, actor)
    session.cancelled_at = utcnow()
    db.session.flush()
    audit.record(actor, "session.cancelled", session, resource=session.resource_id, bookings=len(live))
    realtime.availability_changed(session.resource, session.start_at, session.end_at)
    return len(live)


def record_attendances(actor: User, bookings: list[Booking], form: Mapping[str, Any]) -> int:
    """Attendance of several bookings from one form: `attended-<id>` ("1" present, "0"
    absent, empty: not said) and `beneficiaries-<id>`. All or nothing: the first refusal
    names its booking's place. How many were recorded."""
    recorded = 0
    for booking in bookings:
        attended = (form.get(f"attended-{booking.id}") or "").strip()
        if not attended:
            continue
        beneficiaries = (form.get(f"beneficiaries-{booking.id}") or "").strip() or None
        try:
            bookings_service.record_attendance(booking, actor, attended, beneficiaries)
        except DomainError as exc:
            message = next(iter(exc.fields.values()), exc.message)
            field = "beneficiaries" if "beneficiaries" in exc.fields else "attended"
            raise Invalid(f"{booking.place.name} : {message}",
                          fields={f"{field}-{booking.id}": message}) from None
        recorded += 1
    return recorded
