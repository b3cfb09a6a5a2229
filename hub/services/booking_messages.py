"""Who is told of what happens to a booking: the `booking.*` messages of the contract.

hub/services/bookings.py calls one function here per transition, in the transaction of
the change; each decides the recipients and queues through `notifications.notify` (which
applies the preferences and the unsubscribe headers). A creation, the one transition that
runs hundreds of times a second, only writes a job (`queue_created`): the worker
(hub/worker.py) builds its messages just after the commit (`run_job`). The reminder pass (`send_reminders`)
runs from `flask --app app send-reminders` and from the worker every few minutes.

Choices the contract leaves open:
- a cancellation is told to "the other side": when the one who cancels belongs to the
  booking place, to the host's managers; otherwise (a host manager) to the booking's user.
  The one who cancelled is never told of it;
- a booking whose user is gone (account deleted) tells its user nothing;
- a reminder goes for a booking confirmed more than 24 hours before its start, once, at
  the first pass within the 24 hours before it; one whose start has passed gets none.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Iterable
from urllib.parse import urlsplit

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from hub.extensions import db
from hub.rules import labels
from hub.services import exports, notifications, outbox
from hub.services.outbox import Attachment
from hub.services.places import actor_of
from hub.timeutil import local
from models import ACTIVE_STATUSES, Booking, Membership, OutboxJob, Resource, User, utcnow

logger = logging.getLogger(__name__)

REMINDER_WINDOW = timedelta(hours=24)

DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

# What a message shows of a booking, loaded in one query with the booking.
_WITH_ALL = (
    so.joinedload(Booking.resource).joinedload(Resource.place),
    so.joinedload(Booking.place),
    so.joinedload(Booking.user).joinedload(User.notification_preferences),
)


# ---------------------------------------------------------------- the transitions

# Built once, like the creation path's own statements.
_INSERT_JOB = sa.insert(OutboxJob.__table__)


def queue_created(conn: sa.Connection, booking_id: int, status: str, now: datetime) -> None:
    """The creation path's part: one Core INSERT of a job on its connection, in its
    transaction (a creation that rolls back leaves no job). Rendering the messages there
    cost seven times the rest of the request."""
    conn.execute(_INSERT_JOB, {"kind": "booking.created", "booking_id": booking_id, "status": status,
                               "created_at": now, "claimed_until": None, "claimed_by": None})
    outbox.wake_after_commit()


def run_job(kind: str, booking_id: int, status: str) -> None:
    """Queue the messages of a job (the worker's job pass; the caller commits them
    with the job's deletion)."""
    if kind == "booking.created":
        created(booking_id, status)
    else:
        raise ValueError(f"unknown outbox job {kind!r}")


def created(booking_id: int, status: str) -> None:
    """A new booking, whose status at creation was `status`: its messages are those of
    that moment even if it changed since (a booking cancelled before the worker came to
    it still gets the confirmation it was owed, its cancellation message follows)."""
    booking = db.session.get(Booking, booking_id, options=_WITH_ALL)
    if booking is None:
        logger.info("booking %s was deleted before its creation messages were built", booking_id)
        return
    # Shown as it was, without writing it: the value is set as the loaded one, so the
    # session sees no change to flush.
    so.attributes.set_committed_value(booking, "status", status)
    if booking.status == "confirmed":
        _confirmed(booking)
    elif booking.status == "pending":
        _pending(booking)
    elif booking.status == "waitlisted":
        _notify(booking, "booking.waitlisted", _booker(booking),
                f"Liste d'attente : {booking.resource.name}")


def confirmed(booking: Booking) -> None:
    """A manager confirmed a pending booking."""
    _confirmed(booking)


def refused(booking: Booking) -> None:
    _notify(booking, "booking.refused", _booker(booking), f"Réservation refusée : {booking.resource.name}")


def cancelled(booking: Booking, actor: User, previous: str) -> None:
    if previous not in ACTIVE_STATUSES:
        return  # a waitlisted request held nothing: nobody waits on it
    if actor_of(actor).belongs_to(booking.place_id):
        recipients = _managers(booking.resource.place_id)
        by = booking.place.name
    else:
        recipients = _booker(booking)
        by = booking.resource.place.name
    _notify(booking, "booking.cancelled", [u for u in recipients if u.id != actor.id],
            f"Réservation annulée : {booking.resource.name}, {day_text(booking.start_at)}",
            cancelled_by=by)


def promoted(booking: Booking) -> None:
    """A waitlisted booking got its seats: now pending or confirmed."""
    if booking.status == "confirmed":
        _confirmed(booking)
    elif booking.status == "pending":
        _pending(booking)


def moved(booking: Booking, previous_start: datetime, previous_end: datetime) -> None:
    """A manager moved the training session of a live booking: its booker gets the new
    times (and, when confirmed, the event again: same UID, newer DTSTAMP)."""
    _notify(booking, "booking.moved", _booker(booking),
            f"Session déplacée : {booking.resource.name}, {day_text(booking.start_at)}",
            attachments=_ics(booking) if booking.status == "confirmed" else [],
            previous_when=period_text(previous_start, previous_end))


def _confirmed(booking: Booking) -> None:
    _notify(booking, "booking.confirmed", _booker(booking),
            f"Réservation confirmée : {booking.resource.name}, {day_text(booking.start_at)}",
            attachments=_ics(booking))


def _ics(booking: Booking) -> list[Attachment]:
    public_url = current_app.config["PUBLIC_URL"]
    ics = exports.booking_ics(booking, urlsplit(public_url).netloc, _links(booking)["resource_url"])
    return [Attachment(f"reservation-{booking.id}.ics", "text/calendar", ics.decode("utf-8"))]


def _pending(booking: Booking) -> None:
    _notify(booking, "booking.pending", _managers(booking.resource.place_id),
            f"Nouvelle demande de réservation : {booking.resource.name} ({booking.place.name})")


# ---------------------------------------------------------------- reminders

def send_reminders(now: datetime | None = None) -> int:
    """Queue `booking.reminder` for each confirmed booking starting within 24 hours that
    was made more than 24 hours before its start and has had none; how many bookings
    were reminded. The caller commits.

    Once, whatever the number of passes running at once: each booking is marked by a
    conditional UPDATE (`reminded_at IS NULL`) in the transaction that queues its
    message, and only the bookings that UPDATE returned are told. A concurrent pass waits
    on the rows (PostgreSQL) or the write lock (SQLite) and then finds them marked."""
    now = now or utcnow()
    rows = db.session.execute(
        sa.select(Booking.id, Booking.start_at, Booking.created_at).where(
            Booking.status == "confirmed",
            Booking.reminded_at.is_(None),
            Booking.start_at > now,
            Booking.start_at <= now + REMINDER_WINDOW,
        )
    ).all()
    # Made less than 24 hours ahead: the booker has it in mind (and just got its confirmation).
    due = [id_ for id_, start, made in rows if made <= start - REMINDER_WINDOW]
    if not due:
        return 0
    marked = db.session.scalars(
        sa.update(Booking)
        .where(Booking.id.in_(due), Booking.reminded_at.is_(None), Booking.status == "confirmed")
        .values(reminded_at=now)
        .returning(Booking.id)
        .execution_options(synchronize_session=False)
    ).all()
    if not marked:
        return 0
    bookings = db.session.scalars(
        sa.select(Booking).where(Booking.id.in_(marked)).options(*_WITH_ALL).order_by(Booking.start_at, Booking.id)
    ).all()
    for booking in bookings:
        start = local(booking.start_at)
        today = local(now).date()
        when = "aujourd'hui" if start.date() == today else "demain" if start.date() == today + timedelta(days=1) \
            else day_text(booking.start_at)
        _notify(booking, "booking.reminder", _booker(booking),
                f"Rappel : {booking.resource.name} {when} à {start:%H} h {start:%M}", when=when)
    logger.info("reminders queued for %s booking(s)", len(bookings))
    return len(bookings)


# ---------------------------------------------------------------- helpers

def _booker(booking: Booking) -> list[User]:
    return [booking.user] if booking.user is not None else []


def _managers(place_id: int) -> list[User]:
    return list(db.session.scalars(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.place_id == place_id, Membership.role == "manager")
        .options(so.joinedload(User.notification_preferences))
        .order_by(User.id)
    ))


def day_text(value: datetime) -> str:
    """"mardi 3 décembre 2026", in Paris time."""
    at = local(value)
    return f"{DAYS[at.weekday()]} {at.day}{'er' if at.day == 1 else ''} {labels.MONTH[at.month - 1]} {at.year}"


def period_text(start: datetime, end: datetime) -> str:
    """"mardi 3 décembre 2026 de 14 h 00 à 16 h 00" (or across days)."""
    first, last = local(start), local(end)
    if first.date() == last.date():
        return f"{day_text(start)} de {first:%H} h {first:%M} à {last:%H} h {last:%M}"
    return f"du {day_text(start)} à {first:%H} h {first:%M} au {day_text(end)} à {last:%H} h {last:%M}"


def _links(booking: Booking) -> dict[str, str]:
    public_url = current_app.config["PUBLIC_URL"]
    return {
        "resource_url": f"{public_url}/ressources/{booking.resource_id}",
        "my_bookings_url": f"{public_url}/mes-reservations",
        "requests_url": f"{public_url}/gestion/demandes",
        "ics_url": f"{public_url}/reservations/{booking.id}.ics",
    }


def _view(booking: Booking) -> dict[str, Any]:
    """What the templates show of a booking: plain values, nothing left to load."""
    resource = booking.resource
    return {
        "id": booking.id,
        "resource_name": resource.name,
        "resource_kind": labels.label(labels.RESOURCE_KIND, resource.kind),
        "host_name": resource.place.name,
        "host_commune": resource.place.commune,
        "place_name": booking.place.name,
        "booker_name": booking.user.name if booking.user is not None else None,
        "when": period_text(booking.start_at, booking.end_at),
        "quantity": booking.quantity,
        "note": booking.note or "",
        "reason": booking.refusal_reason or "",
        "status": labels.label(labels.BOOKING_STATUS, booking.status),
        **_links(booking),
    }


def _notify(booking: Booking, event: str, recipients: Iterable[User], subject: str,
            attachments: Iterable[Attachment] = (), **context: Any) -> int:
    template = event.replace(".", "_")
    return notifications.notify(event, recipients, template, subject, {"booking": _view(booking), **context},
                                booking_id=booking.id, attachments=attachments)
