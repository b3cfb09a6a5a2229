"""Loans: equipment lent out of a hub (kits, tools), booked by start and end like a machine.

A confirmed loan booking is checked out by a manager of the host (`out`), even before its
start, and checked back in (`returned`) with the state it came back in. Out, it holds its
unit; past its end without a return it is overdue and holds its unit until it comes back
(hub.services.bookings counts it), and its place borrows nothing more (409 `overdue_loan`).

Choices the contract leaves open:
- a checkout before the booking's start moves the start to the checkout: the kit is held
  from the moment it leaves, and the count (and the PostgreSQL EXCLUDE constraint) see it;
  such an early checkout is refused (409 `unavailable`) when another booking or a kit not yet
  back holds the unit before the booking's start;
- a checkout after the booking's end is refused (409 `invalid_state`): book again;
- a return before the end frees the unit at once (the booking keeps its agreed end);
- an out loan cannot be cancelled (409 `invalid_state`): it is returned.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Mapping

import sqlalchemy as sa
import sqlalchemy.orm as so

from hub.errors import Forbidden, InvalidState, Unavailable
from hub.extensions import db
from hub.rules import permissions
from hub.rules.capacity import peak_within
from hub.rules.validation import Fields
from hub.services import audit, loan_holds, notifications, qualifications, realtime
from hub.services.bookings import EXCLUSION_VIOLATION, booking_dict
from hub.services.places import actor_of
from hub.services.resources import lock_resource
from models import ACTIVE_STATUSES, Booking, Resource, User, utcnow

logger = logging.getLogger(__name__)

DUE_NOTICE = timedelta(hours=24)


def _locked(booking: Booking) -> Booking:
    """The resource's lock first, then the booking as it is now (a cancellation may have
    won the race)."""
    lock_resource(booking.resource)
    return db.session.scalars(
        sa.select(Booking).where(Booking.id == booking.id).execution_options(populate_existing=True)
    ).one()


def _require_host_manager(booking: Booking, actor: User, what: str) -> None:
    if not permissions.may_decide(actor_of(actor), booking.resource.place_id):
        raise Forbidden(f"Seuls les gestionnaires du lieu hôte peuvent {what}.")


def _held_by_others(booking: Booking, start: datetime, end: datetime, now: datetime) -> int:
    """Peak quantity that other bookings hold on the unit over [start, end), overdue
    loans running until they are returned."""
    rows = db.session.execute(
        sa.select(Booking.start_at, Booking.end_at, Booking.quantity, Booking.status).where(
            Booking.resource_id == booking.resource_id,
            Booking.id != booking.id,
            Booking.status.in_(ACTIVE_STATUSES),
            Booking.start_at < end,
            sa.or_(Booking.end_at > start, loan_holds.overdue_at(now)),
        )
    ).all()
    held = [(s, end if status == "out" and e <= now else e, q) for s, e, q, status in rows]
    return peak_within(held, start, end)


def checkout(booking: Booking, actor: User, data: Mapping[str, Any] | None = None) -> Booking:
    _require_host_manager(booking, actor, "remettre un prêt")
    booking = _locked(booking)
    now = utcnow()
    if booking.resource.kind != "loan" or booking.status != "confirmed":
        raise InvalidState("Seul un prêt confirmé peut être remis.")
    if booking.end_at <= now:
        raise InvalidState("La période de ce prêt est passée : réservez une nouvelle période.")
    start = min(booking.start_at, now)
    if _held_by_others(booking, start, booking.end_at, now) + booking.quantity > booking.resource.capacity:
        raise Unavailable("Ce matériel n'est pas disponible : une autre réservation l'occupe ou il n'est pas "
                          "encore revenu.")
    previous_start = booking.start_at
    booking.start_at = start
    booking.status = "out"
    booking.checked_out_at = now
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError as exc:
        # The EXCLUDE constraint behind the count (PostgreSQL).
        if getattr(exc.orig, "sqlstate", None) == EXCLUSION_VIOLATION:
            raise Unavailable("Ce matériel n'est pas disponible sur cette période.") from None
        raise
    # "booking.<new status>", with `previous`, like every other transition of a booking.
    audit.record(actor, "booking.out", booking, previous="confirmed", resource=booking.resource_id,
                 place=booking.place.slug, **({"start_moved_from": previous_start.isoformat()}
                                              if start != previous_start else {}))
    realtime.booking_event(booking, "booking.updated", booking_dict(booking))
    if start != previous_start:
        realtime.availability_changed(booking.resource, start, previous_start)
    return booking


def return_loan(booking: Booking, actor: User, data: Mapping[str, Any] | None = None) -> Booking:
    _require_host_manager(booking, actor, "enregistrer un retour")
    f = Fields(data or {})
    condition = f.text("condition", max_len=2000, default="", multiline=True)
    f.check()
    booking = _locked(booking)
    if booking.status != "out":
        raise InvalidState("Seul un prêt sorti peut être rendu.")
    now = utcnow()
    was_overdue = booking.end_at <= now
    freed_until = max(booking.end_at, now)
    booking.status = "returned"
    booking.returned_at = now
    booking.return_condition = condition or None
    db.session.flush()
    audit.record(actor, "booking.returned", booking, previous="out", resource=booking.resource_id,
                 place=booking.place.slug,
                 overdue=was_overdue, condition=condition or None)
    realtime.booking_event(booking, "booking.updated", booking_dict(booking))
    realtime.availability_changed(booking.resource, min(now, booking.start_at), freed_until)
    return booking


# ---------------------------------------------------------------- reading

def loans_of_host(place_id: int, *, horizon: timedelta = timedelta(days=14)) -> dict[str, list[Booking]]:
    """The host's loans a manager follows: those out (overdue first) and the confirmed
    ones that leave within `horizon`."""
    now = utcnow()
    query = (
        sa.select(Booking)
        .join(Resource, Booking.resource_id == Resource.id)
        .where(Resource.place_id == place_id, Resource.kind == "loan")
        .options(so.joinedload(Booking.place), so.joinedload(Booking.resource), so.joinedload(Booking.user))
    )
    out = list(db.session.scalars(query.where(Booking.status == "out").order_by(Booking.end_at, Booking.id)))
    leaving = list(db.session.scalars(
        query.where(Booking.status == "confirmed", Booking.end_at > now, Booking.start_at < now + horizon)
        .order_by(Booking.start_at, Booking.id)
    ))
    return {"out": out, "leaving": leaving}


def overdue_of_place(place_id: int) -> list[Booking]:
    """The place's own overdue loans, at any hub: shown to the borrower's side."""
    return list(db.session.scalars(
        sa.select(Booking)
        .where(Booking.place_id == place_id, loan_holds.overdue_at(utcnow()))
        .options(so.joinedload(Booking.resource).joinedload(Resource.place))
        .order_by(Booking.end_at)
    ))


# ---------------------------------------------------------------- messages

def _claim(column: sa.orm.InstrumentedAttribute, booking_id: int, now: datetime) -> bool:
    """Mark a message as sent, only if nobody did: two passes at once send it once."""
    return db.session.execute(
        sa.update(Booking)
        .where(Booking.id == booking_id, column.is_(None), Booking.status == "out")
        .values({column.key: now})
        .execution_options(synchronize_session=False)
    ).rowcount == 1


def loan_pass(now: datetime | None = None) -> dict[str, int]:
    """`loan.due` the day before an out loan is due, `loan.overdue` once it is late: each
    once, to the user who booked it."""
    now = now or utcnow()
    counts = {"loan.due": 0, "loan.overdue": 0}
    due = db.session.scalars(sa.select(Booking.id).where(
        Booking.status == "out", Booking.due_notified_at.is_(None),
        Booking.end_at > now, Booking.end_at <= now + DUE_NOTICE)).all()
    late = db.session.scalars(sa.select(Booking.id).where(
        loan_holds.overdue_at(now), Booking.overdue_notified_at.is_(None))).all()
    for event, column, ids in (("loan.due", Booking.due_notified_at, due),
                               ("loan.overdue", Booking.overdue_notified_at, late)):
        for booking_id in ids:
            if not _claim(column, booking_id, now):
                continue
            booking = db.session.get(Booking, booking_id)
            assert booking is not None
            db.session.refresh(booking)
            if booking.user is not None:
                subject = (f"Prêt « {booking.resource.name} » : à rendre demain" if event == "loan.due"
                           else f"Prêt « {booking.resource.name} » : en retard")
                notifications.notify(event, [booking.user], event.replace(".", "_"), subject,
                                     {"booking": booking, "resource": booking.resource,
                                      "host": booking.resource.place, "place": booking.place},
                                     booking_id=booking.id)
            audit.record(None, f"{event}_notified", booking)
            counts[event] += 1
    return counts


def reminder_pass(now: datetime | None = None) -> dict[str, int]:
    """The deeper-sharing messages of a reminder pass (`flask send-reminders` calls it):
    loans due and overdue, qualifications about to expire."""
    counts = loan_pass(now)
    counts["qualification.expiring"] = qualifications.expiring_pass(now)
    return counts
