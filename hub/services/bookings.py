"""Bookings: the rules a request must pass, their lifecycle, and who sees what.

Never oversold. Every change to a resource's bookings first takes the resource's row
lock (SELECT ... FOR UPDATE on PostgreSQL: `lock_resource`, or `_TARGET` for a new
booking; on SQLite the request already began with BEGIN IMMEDIATE and holds the database
write lock), then counts. Behind the count stand the database's own guards: the EXCLUDE
constraint `ex_bookings_no_overlap` on the bookings of capacity-1 resources (PostgreSQL),
and the `seats_taken` counter of training sessions, moved by a conditional UPDATE and
bounded by a CHECK.

Choices the contract leaves open:
- an unknown `place` slug is a 422 on the `place` field; a place the booker does not
  belong to is a 403;
- an archived resource cannot be booked: 404, like any resource gone from the catalogue;
- `max_hours_per_week` counts clock hours (not hours x quantity) of the booking place's
  confirmed and pending bookings, per ISO week in Paris time, for every week the
  request touches;
- only trainings have a waitlist; a full machine or space answers 409 `unavailable`;
- a waitlisted booking is promoted when seats free up: the oldest first, each one that
  now fits (a large request does not block smaller ones behind it);
- cancelling is possible until the booking ends, and not after attendance is recorded.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Mapping

import sqlalchemy as sa

from hub.errors import (
    Forbidden,
    Invalid,
    InvalidState,
    NotFound,
    OverdueLoan,
    PrerequisiteMissing,
    QuotaExceeded,
    Unavailable,
)
from hub.extensions import db
from hub.rules import permissions
from hub.rules.capacity import is_exclusive, peak_within, quota_breach, quota_window
from hub.rules.permissions import Actor
from hub.services import analytics, audit, booking_messages, loan_holds, realtime
from hub.services.places import actor_of
from hub.services.qualifications import is_qualified, renew_on_attendance
from hub.services.resources import MAX_CAPACITY, is_closed, lock_resource, read_period
from hub.rules.validation import MAX_ID, Fields, id_or_404
from hub.timeutil import duration_text, to_iso
from models import (
    ACTIVE_STATUSES,
    Booking,
    Closure,
    Membership,
    Place,
    Qualification,
    Resource,
    TrainingSession,
    User,
    utcnow,
)

logger = logging.getLogger(__name__)

EXCLUSION_VIOLATION = "23P01"


# ---------------------------------------------------------------- representation

def booking_dict(booking: Booking | sa.Row[Any], names: tuple[str, str, str] | None = None) -> dict[str, Any]:
    """THE API representation of a booking (also the payload of live events).

    `booking` is a Booking or a row of the bookings table (the creation path's RETURNING
    row); `names` (resource name, place slug, place name) default to the booking's
    relationships, which a row does not have."""
    if names is None:
        names = (booking.resource.name, booking.place.slug, booking.place.name)
    return {
        "id": booking.id,
        "status": booking.status,
        "resource": booking.resource_id,
        "resource_name": names[0],
        "place": names[1],
        "place_name": names[2],
        "start": to_iso(booking.start_at),
        "end": to_iso(booking.end_at),
        "quantity": booking.quantity,
        "beneficiaries": booking.beneficiaries,
        "session": booking.session_id,
        "note": booking.note,
        "refusal_reason": booking.refusal_reason,
        "attended": booking.attended,
        "user": booking.user_id,
        "created_at": to_iso(booking.created_at),
        "updated_at": to_iso(booking.updated_at),
        "series": booking.series_id,
        "overdue": booking.status == "out" and booking.end_at <= utcnow(),  # a Row has no is_overdue
        "checked_out_at": to_iso(booking.checked_out_at),
        "returned_at": to_iso(booking.returned_at),
        "return_condition": booking.return_condition,
    }


# Who sees which bookings, and the lists pages show: hub/services/booking_reads.py.
from hub.services.booking_reads import (  # noqa: E402,F401  (this module's public names)
    bookings_of_place_resources, bookings_of_resource, bookings_of_user_places, get_booking,
    get_booking_page, get_visible_booking, parse_filters, pending_requests, visible_bookings,
)


# Built once: the booking path runs them hundreds of times a second, and a statement
# built once is found in SQLAlchemy's compiled cache without being rebuilt. The Core
# statements among them run on the session's connection (`Connection.execute`: same
# transaction, same compiled cache and engine events), which skips the ORM execution
# layer a Core statement does not need: it cost as much as the statement itself.
# One round trip for the capacity and the closures of a period: closures come back
# with quantity -1.
_OCCUPANCY = sa.union_all(
    sa.select(Booking.start_at, Booking.end_at, Booking.quantity).where(
        Booking.resource_id == sa.bindparam("rid"),
        Booking.start_at < sa.bindparam("end"),
        Booking.end_at > sa.bindparam("start"),
        # Equalities, not IN: an IN list is expanded into the SQL text at every execution.
        sa.or_(*(Booking.status == status for status in ACTIVE_STATUSES)),
    ),
    sa.select(Closure.start_at, Closure.end_at, sa.literal_column("-1", sa.Integer)).where(
        Closure.resource_id == sa.bindparam("rid"),
        Closure.start_at < sa.bindparam("end"),
        Closure.end_at > sa.bindparam("start"),
    ),
)
# What a booking request is checked against, in one round trip: the resource's rules, the
# place the request names and the booker's role there, as one Row (Core, no ORM object:
# nothing on the booking path changes the resource or the place, and loading them as
# objects cost as much as the statement). On PostgreSQL the resource row is locked here,
# for the rest of the transaction: every change to a resource's bookings is serialized,
# and the counts that follow are exact (on SQLite the request began with BEGIN IMMEDIATE
# and FOR UPDATE renders nothing).
_RESOURCES, _PLACES, _MEMBERSHIPS = Resource.__table__, Place.__table__, Membership.__table__
_TARGET = (
    sa.select(
        *(_RESOURCES.c[name] for name in (
            "id", "place_id", "kind", "name", "capacity", "requires_approval", "prerequisite_id",
            "opening_hours", "max_hours_per_week", "min_duration_minutes", "max_duration_minutes",
            "min_notice_minutes", "archived_at", "max_beneficiaries")),
        _PLACES.c.id.label("booking_place_id"),
        _PLACES.c.slug.label("booking_place_slug"),
        _PLACES.c.name.label("booking_place_name"),
        _MEMBERSHIPS.c.role,
    )
    .select_from(_RESOURCES)
    .outerjoin(_PLACES, _PLACES.c.slug == sa.bindparam("slug"))
    .outerjoin(_MEMBERSHIPS, sa.and_(_MEMBERSHIPS.c.place_id == _PLACES.c.id,
                                     _MEMBERSHIPS.c.user_id == sa.bindparam("uid")))
    .where(_RESOURCES.c.id == sa.bindparam("rid"))
    .with_for_update(of=_RESOURCES)
)
# The new booking comes back as the database holds it: the row `booking_dict` shows.
_BOOKINGS = Booking.__table__
_INSERT = sa.insert(_BOOKINGS).returning(*_BOOKINGS.c)


def occupancy(resource: Resource | sa.Row[Any], start: datetime, end: datetime) -> tuple[bool, int]:
    """(whether a closure overlaps [start, end), peak of active quantities in it)."""
    conn = db.session.connection()
    rows = conn.execute(_OCCUPANCY, {"rid": resource.id, "start": start, "end": end}).all()
    closed = any(q < 0 for _, _, q in rows)
    held = [(row[0], row[1], row[2]) for row in rows if row[2] > 0]
    if resource.kind == "loan":
        held += loan_holds.overdue_held(conn, resource.id, start, end)
    return closed, peak_within(held, start, end)


# ---------------------------------------------------------------- creating

def create_booking(resource_id: Any, booker_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """Book a resource, as user `booker_id`, for a place of theirs: the new booking
    (confirmed, pending or waitlisted) as `booking_dict` shows it, or a DomainError and
    nothing written."""
    rid = id_or_404(resource_id, "Cette ressource n'existe pas.")
    f = Fields(data)
    slug = f.text("place", required=True, max_len=120)
    # The session's connection, fetched once: `Session.connection()` costs a fair share of
    # a statement.
    conn = db.session.connection()
    # The resource's rules, read as a Row: `resource.<column>` like a Resource.
    resource = conn.execute(_TARGET, {"rid": rid, "slug": slug, "uid": booker_id}).first()
    if resource is None or resource.archived_at is not None:
        raise NotFound("Cette ressource n'existe pas.")
    place_id = resource.booking_place_id
    if slug and place_id is None:
        f.error("place", "Ce lieu n'existe pas.")
    note = f.text("note", max_len=5000, default="", multiline=True) or ""
    beneficiaries = f.integer("beneficiaries", minimum=0, maximum=1_000_000)
    if beneficiaries is not None and beneficiaries > resource.max_beneficiaries:
        f.error("beneficiaries", f"Au plus {resource.max_beneficiaries} bénéficiaires par réservation "
                                 "sur cette ressource.")
    now = utcnow()
    session: TrainingSession | None = None
    if resource.kind == "training":
        session_id = f.integer("session", required=True, minimum=1, maximum=MAX_ID)
        if session_id is not None:
            session = db.session.get(TrainingSession, session_id)
            if session is None or session.resource_id != resource.id:
                f.error("session", "Cette session n'existe pas pour cette formation.")
                session = None
            elif session.cancelled_at is not None:
                f.error("session", "Cette session est annulée.")
            elif session.start_at <= now:
                f.error("session", "Cette session a déjà commencé.")
        seats = session.seats if session else MAX_CAPACITY
        quantity = f.integer("quantity", minimum=1, maximum=seats, default=1)
        start, end = (session.start_at, session.end_at) if session else (None, None)
    else:
        quantity = f.integer("quantity", minimum=1, maximum=resource.capacity, default=1)
        start, end = read_period(
            f, now, booking=True, kind=resource.kind, opening_hours=resource.opening_hours,
            notice_minutes=resource.min_notice_minutes, min_minutes=resource.min_duration_minutes,
            max_minutes=resource.max_duration_minutes,
        )
    if resource.kind == "incubation" and not note:
        f.error("note", "Présentez en quelques lignes le projet à incuber.")
    if session and resource.min_notice_minutes and session.start_at < now + timedelta(
            minutes=resource.min_notice_minutes):
        f.error("session", f"Réservez au moins {duration_text(resource.min_notice_minutes)} à l'avance.")
    f.check()
    assert start is not None and end is not None and quantity is not None and place_id is not None

    # The booker's role in the booking place came with the resource, in the same query.
    booker = Actor(booker_id, places={place_id: resource.role} if resource.role else {})
    if not permissions.may_book_for(booker, place_id):
        raise Forbidden("Vous ne pouvez réserver que pour un lieu dont vous êtes membre.",
                        fields={"place": "Vous n'êtes pas membre de ce lieu."})
    if resource.prerequisite_id is not None and not is_qualified(booker_id, resource.prerequisite_id):
        training = db.session.get(Resource, resource.prerequisite_id)
        name = training.name if training else "la formation requise"
        raise PrerequisiteMissing(f"Il faut d'abord avoir suivi la formation « {name} ».")

    if resource.kind == "loan" and loan_holds.has_overdue_loan(conn, place_id, now):
        raise OverdueLoan()
    if session is not None:
        closed, used = is_closed(resource, start, end), 0
    else:
        closed, used = occupancy(resource, start, end)
    if closed:
        raise Unavailable("La ressource est fermée sur ce créneau.")
    _check_quota(resource, place_id, start, end)

    status = "pending" if resource.requires_approval else "confirmed"
    if session is not None:
        if not _take_seats(session, quantity):
            status = "waitlisted"
    elif used + quantity > resource.capacity:
        raise Unavailable("Il ne reste pas assez de place sur ce créneau.")

    booking = _insert(conn, {
        "resource_id": resource.id, "place_id": place_id, "user_id": booker_id,
        "session_id": session.id if session else None, "start_at": start, "end_at": end,
        "quantity": quantity, "beneficiaries": beneficiaries, "note": note, "status": status,
        "exclusive": is_exclusive(resource.kind, resource.capacity), "created_at": now, "updated_at": now,
        "refusal_reason": None, "attended": None,
    })
    analytics.booking_created(conn, booking, resource.place_id, resource.kind)
    audit.record(booker_id, "booking.created", ("booking", booking.id), status=status, resource=resource.id,
                 place=resource.booking_place_slug, quantity=quantity)
    payload = booking_dict(booking, (resource.name, resource.booking_place_slug, resource.booking_place_name))
    realtime.booking_event(booking, "booking.created", payload, host_place_id=resource.place_id)
    if status in ACTIVE_STATUSES:
        realtime.availability_changed(resource, start, end)
    booking_messages.queue_created(conn, booking.id, status, now)
    return payload


def _check_quota(resource: Resource | sa.Row[Any], place_id: int, start: datetime, end: datetime) -> None:
    if not resource.max_hours_per_week:
        return
    first, last = quota_window(start, end)
    booked = db.session.execute(
        sa.select(Booking.start_at, Booking.end_at).where(
            Booking.resource_id == resource.id,
            Booking.place_id == place_id,
            Booking.status.in_(ACTIVE_STATUSES),
            Booking.start_at < last,
            Booking.end_at > first,
        )
    ).all()
    breach = quota_breach(resource.max_hours_per_week, booked, start, end)
    if breach:
        raise QuotaExceeded(breach)


def _take_seats(session: TrainingSession, quantity: int) -> bool:
    """Move the session's seat counter, only if the seats are there (atomic)."""
    result = db.session.execute(
        sa.update(TrainingSession)
        .where(
            TrainingSession.id == session.id,
            TrainingSession.seats_taken + quantity <= TrainingSession.seats,
        )
        .values(seats_taken=TrainingSession.seats_taken + quantity)
        .execution_options(synchronize_session=False)
    )
    taken = result.rowcount == 1
    db.session.expire(session, ["seats_taken"])
    return taken


def _release_seats(session: TrainingSession, quantity: int) -> None:
    db.session.execute(
        sa.update(TrainingSession)
        .where(TrainingSession.id == session.id)
        .values(seats_taken=TrainingSession.seats_taken - quantity)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(session, ["seats_taken"])


def _insert(conn: sa.Connection, values: dict[str, Any]) -> sa.Row[Any]:
    """Write a new booking (every column in `values`): its row, as the database holds it.
    One Core INSERT ... RETURNING rather than the unit of work and an object, which cost
    more than the rest of the request; nothing in the request changes the booking after."""
    try:
        return conn.execute(_INSERT, values).one()
    except sa.exc.IntegrityError as exc:
        # The EXCLUDE constraint (PostgreSQL), behind the count made under the resource
        # lock: should the count ever miss an overlap, the database still refuses it. The
        # transaction is spoilt, but a DomainError ends the request with a rollback anyway.
        if getattr(exc.orig, "sqlstate", None) == EXCLUSION_VIOLATION:
            raise Unavailable("Il ne reste pas assez de place sur ce créneau.") from None
        raise


# ---------------------------------------------------------------- lifecycle

def _locked(booking: Booking) -> Booking:
    """Lock the booking's resource, then re-read the booking: another transaction may
    have changed it while we waited."""
    lock_resource(booking.resource)
    return db.session.scalars(
        sa.select(Booking).where(Booking.id == booking.id).execution_options(populate_existing=True)
    ).one()


def confirm_booking(booking: Booking, actor: User) -> Booking:
    if not permissions.may_decide(actor_of(actor), booking.resource.place_id):
        raise Forbidden("Seuls les gestionnaires du lieu hôte peuvent valider une demande.")
    booking = _locked(booking)
    if booking.status != "pending":
        raise InvalidState("Seule une demande en attente peut être validée.")
    booking.status = "confirmed"
    db.session.flush()
    audit.record(actor, "booking.confirmed", booking, previous="pending")
    realtime.booking_event(booking, "booking.updated", booking_dict(booking))
    booking_messages.confirmed(booking)
    return booking


def refuse_booking(booking: Booking, actor: User, reason: str | None = None) -> Booking:
    if not permissions.may_decide(actor_of(actor), booking.resource.place_id):
        raise Forbidden("Seuls les gestionnaires du lieu hôte peuvent refuser une demande.")
    f = Fields({"reason": reason})
    text = f.text("reason", max_len=2000, default="", multiline=True)
    f.check()
    booking = _locked(booking)
    if booking.status != "pending":
        raise InvalidState("Seule une demande en attente peut être refusée.")
    booking.status = "refused"
    booking.refusal_reason = text or None
    _free(booking, actor, "booking.refused", previous="pending", reason=text)
    booking_messages.refused(booking)
    return booking


def cancel_booking(booking: Booking, actor: User) -> Booking:
    if not permissions.may_cancel(actor_of(actor), booking.place_id, booking.resource.place_id):
        raise Forbidden("Seuls les membres du lieu qui a réservé ou les gestionnaires du lieu hôte "
                        "peuvent annuler cette réservation.")
    booking = _locked(booking)
    if booking.status not in ACTIVE_STATUSES + ("waitlisted",):
        raise InvalidState("Cette réservation n'est plus active.")
    if booking.status == "out":
        raise InvalidState("Ce matériel est sorti en prêt : il se rend, il ne s'annule plus.")
    if booking.end_at <= utcnow() or booking.attended is not None:
        raise InvalidState("Une réservation terminée ne peut plus être annulée.")
    previous = booking.status
    booking.status = "cancelled"
    _free(booking, actor, "booking.cancelled", previous=previous)
    booking_messages.cancelled(booking, actor, previous)
    return booking


def _free(booking: Booking, actor: User, action: str, *, previous: str, **data: Any) -> None:
    """After a booking left the active statuses: release its seats, log, tell, promote."""
    held = previous in ACTIVE_STATUSES
    if held and booking.session is not None:
        _release_seats(booking.session, booking.quantity)
    db.session.flush()
    audit.record(actor, action, booking, previous=previous, **data)
    realtime.booking_event(booking, "booking.updated", booking_dict(booking))
    if held:
        realtime.availability_changed(booking.resource, booking.start_at, booking.end_at)
        if booking.session is not None:
            promote_waitlist(booking.session, actor, freed_by=booking)


def promote_waitlist(session: TrainingSession, actor: User | None, *, freed_by: Booking | None = None) -> list[Booking]:
    """Promote, oldest first, each waitlisted booking of the session that now fits.
    The caller holds the resource lock."""
    promoted: list[Booking] = []
    waiting = db.session.scalars(
        sa.select(Booking)
        .where(Booking.session_id == session.id, Booking.status == "waitlisted")
        .order_by(Booking.created_at, Booking.id)
    ).all()
    resource = session.resource
    for candidate in waiting:
        if not _take_seats(session, candidate.quantity):
            continue
        candidate.status = "pending" if resource.requires_approval else "confirmed"
        db.session.flush()
        audit.record(actor, "booking.promoted", candidate, previous="waitlisted", status=candidate.status,
                     freed_by=freed_by.id if freed_by else None)
        realtime.booking_event(candidate, "booking.updated", booking_dict(candidate))
        booking_messages.promoted(candidate)
        promoted.append(candidate)
    return promoted


def record_attendance(booking: Booking, actor: User, attended: Any,
                      beneficiaries: Any = None) -> Booking:
    """Attended / no-show, once the booking has started. Attending a training session
    grants its qualification; a correction to no-show withdraws one granted that way."""
    if not permissions.may_decide(actor_of(actor), booking.resource.place_id):
        raise Forbidden("Seuls les gestionnaires du lieu hôte peuvent noter la présence.")
    f = Fields({"attended": attended, "beneficiaries": beneficiaries})
    if not isinstance(attended, bool) and attended not in ("true", "false", "on", "off", "1", "0", "oui", "non"):
        f.error("attended", "Indiquez vrai (présent) ou faux (absent).")
        present = False
    else:
        present = f.boolean("attended")
    count = f.integer("beneficiaries", minimum=0, maximum=1_000_000)
    f.check()
    booking = _locked(booking)
    if booking.status != "confirmed":
        raise InvalidState("La présence se note sur une réservation confirmée.")
    if booking.start_at > utcnow():
        raise InvalidState("La présence se note une fois la réservation commencée.")
    if count is not None and count > booking.resource.max_beneficiaries:
        raise Invalid("Le nombre de bénéficiaires dépasse le maximum de la ressource.", fields={
            "beneficiaries": f"Au plus {booking.resource.max_beneficiaries} bénéficiaires par réservation."})
    booking.attended = present
    if count is not None:
        booking.beneficiaries = count
    db.session.flush()
    audit.record(actor, "booking.attendance", booking, attended=present, beneficiaries=booking.beneficiaries)
    if booking.session_id is not None and booking.user_id is not None:
        _qualify_by_attendance(booking, actor, present)
    realtime.booking_event(booking, "booking.updated", booking_dict(booking))
    return booking


def _qualify_by_attendance(booking: Booking, actor: User, present: bool) -> None:
    existing = db.session.scalar(
        sa.select(Qualification).where(
            Qualification.user_id == booking.user_id, Qualification.training_id == booking.resource_id
        )
    )
    if present and existing is None:
        qualification = Qualification(user_id=booking.user_id, training_id=booking.resource_id,
                                      granted_by_id=actor.id, source="attendance")
        db.session.add(qualification)
        db.session.flush()
        audit.record(actor, "qualification.granted", qualification, training=booking.resource_id,
                     user=booking.user_id, booking=booking.id)
    elif present and existing is not None:
        renew_on_attendance(existing, actor, booking)
    elif not present and existing is not None and existing.source == "attendance":
        other = db.session.scalar(
            sa.select(Booking.id).where(
                Booking.user_id == booking.user_id, Booking.resource_id == booking.resource_id,
                Booking.attended.is_(True), Booking.id != booking.id,
            ).limit(1)
        )
        if other is None:
            audit.record(actor, "qualification.withdrawn", existing, training=booking.resource_id,
                         user=booking.user_id, booking=booking.id)
            db.session.delete(existing)
            db.session.flush()
