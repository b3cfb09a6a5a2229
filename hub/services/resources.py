"""Resources a place opens to the network: their rules, sessions, closures, qualifications.

The calendar and capacity rules themselves are pure functions in hub.rules; this module
reads and writes, and calls them. Choices worth knowing:
- Lowering the capacity below the peak use of current and future active bookings is
  refused (422): nobody's booking disappears behind their back.
- A capacity-1 machine, space or incubation marks its bookings `exclusive`, which puts them
  under the PostgreSQL EXCLUDE constraint; the flag follows capacity changes.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Mapping

import sqlalchemy as sa
import sqlalchemy.orm as so

from hub.errors import Duplicate, Forbidden, Invalid, NotFound, Unavailable
from hub.extensions import db
from hub.rules import capacity as capacity_rules
from hub.rules.calendar import free_slots, hours_apply, outside_opening, parse_opening_hours, period_errors
from hub.rules import permissions
from hub.services import audit, qualifications, realtime
from hub.services.places import actor_of
from hub.rules.validation import MAX_ID, Fields, id_or_404
from hub.timeutil import to_iso
from models import (
    ACTIVE_STATUSES,
    RESOURCE_KINDS,
    Booking,
    Closure,
    Place,
    Qualification,
    Resource,
    TrainingSession,
    User,
    utcnow,
)

logger = logging.getLogger(__name__)

MAX_CAPACITY = 10_000
MAX_MINUTES = 5 * 366 * 24 * 60
# Beneficiaries one booking may declare, unless the resource's managers set another bound.
DEFAULT_MAX_BENEFICIARIES = 100
MAX_BENEFICIARIES = 1_000_000


# ---------------------------------------------------------------- permissions

def _may_run(user: User, resource: Resource) -> bool:
    return permissions.may_run_hub(actor_of(user), resource.place_id)


def require_manager(user: User, resource: Resource) -> None:
    if not _may_run(user, resource):
        raise Forbidden("Seuls les gestionnaires du lieu qui propose cette ressource peuvent faire cela.")


# ---------------------------------------------------------------- reading

def get_resource(resource_id: Any, *, include_archived: bool = False) -> Resource:
    # Every page of a resource names its host place and its prerequisite: loaded with it,
    # even over a copy the session holds already (the booking path re-reads it alone).
    resource = db.session.scalar(
        sa.select(Resource)
        .where(Resource.id == id_or_404(resource_id, "Cette ressource n'existe pas."))
        .options(so.joinedload(Resource.place), so.joinedload(Resource.prerequisite))
        .execution_options(populate_existing=True)
    )
    if resource is None or (resource.archived_at is not None and not include_archived):
        raise NotFound("Cette ressource n'existe pas.")
    return resource


def lock_resource(resource: Resource) -> Resource:
    """Take the resource's row lock for the rest of the transaction (PostgreSQL).

    Every change to a resource's bookings starts here, so they are serialized per
    resource and the counts that follow are exact. On SQLite the request's transaction
    already holds the database write lock (BEGIN IMMEDIATE), and FOR UPDATE renders nothing.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        return resource
    return db.session.scalars(_LOCK_RESOURCE, {"id": resource.id}).one()


# Built once: statements on the booking path are executed hundreds of times a second.
_LOCK_RESOURCE = (
    sa.select(Resource)
    .where(Resource.id == sa.bindparam("id"))
    .with_for_update()
    .execution_options(populate_existing=True)
)


def resources_of_place(place: Place, *, include_archived: bool = False) -> list[Resource]:
    query = sa.select(Resource).where(Resource.place_id == place.id).order_by(Resource.name)
    if not include_archived:
        query = query.where(Resource.archived_at.is_(None))
    return list(db.session.scalars(query))


def trainings() -> list[Resource]:
    """Training resources that may serve as a prerequisite (for the resource form)."""
    return list(
        db.session.scalars(
            sa.select(Resource)
            .where(Resource.kind == "training", Resource.archived_at.is_(None))
            .order_by(Resource.name)
            .options(so.joinedload(Resource.place))  # the form names each one's place
        )
    )


def upcoming_sessions(resource: Resource, *, limit: int = 100) -> list[TrainingSession]:
    return list(
        db.session.scalars(
            sa.select(TrainingSession)
            .where(TrainingSession.resource_id == resource.id, TrainingSession.end_at > utcnow(),
                   TrainingSession.cancelled_at.is_(None))
            .order_by(TrainingSession.start_at)
            .limit(limit)
        )
    )


def upcoming_closures(resource: Resource) -> list[Closure]:
    return list(
        db.session.scalars(
            sa.select(Closure)
            .where(Closure.resource_id == resource.id, Closure.end_at > utcnow())
            .order_by(Closure.start_at)
        )
    )


def session_dict(session: TrainingSession) -> dict[str, Any]:
    return {
        "id": session.id,
        "resource": session.resource_id,
        "start": to_iso(session.start_at),
        "end": to_iso(session.end_at),
        "seats": session.seats,
        "seats_taken": session.seats_taken,
        "seats_free": session.seats - session.seats_taken,
    }


def closure_dict(closure: Closure) -> dict[str, Any]:
    return {
        "id": closure.id,
        "resource": closure.resource_id,
        "start": to_iso(closure.start_at),
        "end": to_iso(closure.end_at),
        "reason": closure.reason,
    }


def qualification_dict(qualification: Qualification) -> dict[str, Any]:
    return {
        "id": qualification.id,
        "training": qualification.training_id,
        "user": {"id": qualification.user.id, "email": qualification.user.email,
                 "name": qualification.user.name},
        "source": qualification.source,
        "created_at": to_iso(qualification.created_at),
    }


def resource_dict(resource: Resource, *, detail: bool = False) -> dict[str, Any]:
    """The API representation; `detail` adds coming sessions and closures."""
    place = resource.place
    body: dict[str, Any] = {
        "id": resource.id,
        "kind": resource.kind,
        "name": resource.name,
        "description": resource.description,
        "capacity": resource.capacity,
        "requires_approval": resource.requires_approval,
        "prerequisite": resource.prerequisite_id,
        "opening_hours": resource.opening_hours,
        "max_hours_per_week": resource.max_hours_per_week,
        "min_duration_minutes": resource.min_duration_minutes,
        "max_duration_minutes": resource.max_duration_minutes,
        "min_notice_minutes": resource.min_notice_minutes,
        "qualification_valid_days": resource.qualification_valid_days,
        "max_beneficiaries": resource.max_beneficiaries,
        "place": place.slug,
        "place_name": place.name,
        "departement": place.departement,
        "commune": place.commune,
        "archived": resource.archived_at is not None,
        "created_at": to_iso(resource.created_at),
    }
    if detail:
        if resource.kind == "training":
            body["sessions"] = [session_dict(s) for s in upcoming_sessions(resource)]
        body["closures"] = [closure_dict(c) for c in upcoming_closures(resource)]
    return body


# ---------------------------------------------------------------- writing

def _read_resource_fields(data: Mapping[str, Any], *, partial: bool,
                          resource: Resource | None) -> tuple[Fields, dict[str, Any]]:
    """Parse the rule fields present in `data` (all of them unless `partial`)."""
    f = Fields(data)
    values: dict[str, Any] = {}

    def wanted(name: str) -> bool:
        return not partial or name in data

    if wanted("name"):
        values["name"] = f.text("name", required=True)
    if wanted("description"):
        values["description"] = f.text("description", max_len=5000, default="", multiline=True)
    if wanted("capacity"):
        values["capacity"] = f.integer("capacity", minimum=1, maximum=MAX_CAPACITY, default=1)
    if wanted("requires_approval"):
        values["requires_approval"] = f.boolean("requires_approval")
    if wanted("prerequisite"):
        pid = f.integer("prerequisite", minimum=1, maximum=MAX_ID)
        if pid is not None:
            training = db.session.get(Resource, pid)
            if training is None or training.kind != "training" or training.archived_at is not None:
                f.error("prerequisite", "Choisissez une formation existante.")
            elif resource is not None and training.id == resource.id:
                f.error("prerequisite", "Une ressource ne peut pas être son propre prérequis.")
        values["prerequisite_id"] = pid
    if wanted("opening_hours"):
        try:
            values["opening_hours"] = parse_opening_hours(data.get("opening_hours"))
        except ValueError as exc:
            f.error("opening_hours", str(exc))
    if wanted("max_hours_per_week"):
        values["max_hours_per_week"] = f.number("max_hours_per_week", minimum=0.25, maximum=168)
    if wanted("min_duration_minutes"):
        values["min_duration_minutes"] = f.integer("min_duration_minutes", minimum=1, maximum=MAX_MINUTES)
    if wanted("max_duration_minutes"):
        values["max_duration_minutes"] = f.integer("max_duration_minutes", minimum=1, maximum=MAX_MINUTES)
    if wanted("min_notice_minutes"):
        values["min_notice_minutes"] = f.integer("min_notice_minutes", minimum=0, maximum=MAX_MINUTES)
    if wanted("qualification_valid_days"):
        values["qualification_valid_days"] = f.integer("qualification_valid_days", minimum=1, maximum=36_600)
    if wanted("max_beneficiaries"):
        values["max_beneficiaries"] = f.integer(
            "max_beneficiaries", minimum=1, maximum=MAX_BENEFICIARIES, default=DEFAULT_MAX_BENEFICIARIES
        )
    low = values.get("min_duration_minutes", resource.min_duration_minutes if resource else None)
    high = values.get("max_duration_minutes", resource.max_duration_minutes if resource else None)
    if low is not None and high is not None and high < low:
        f.error("max_duration_minutes", "La durée maximale doit être au moins la durée minimale.")
    return f, values


def create_resource(place: Place, actor: User, data: Mapping[str, Any]) -> Resource:
    if not permissions.may_run_hub(actor_of(actor), place.id):
        raise Forbidden("Seuls les gestionnaires de ce lieu peuvent y publier une ressource.")
    kind_fields = Fields(data)
    kind = kind_fields.choice("kind", RESOURCE_KINDS, required=True)
    f, values = _read_resource_fields(data, partial=False, resource=None)
    f.errors = kind_fields.errors | f.errors
    f.check()
    if kind == "incubation" and "requires_approval" not in data:
        values["requires_approval"] = True  # incubation is usually decided by the host
    resource = Resource(place=place, kind=kind, **values)
    db.session.add(resource)
    db.session.flush()
    audit.record(actor, "resource.created", resource, kind=kind, name=resource.name)
    return resource


def update_resource(resource: Resource, actor: User, data: Mapping[str, Any]) -> Resource:
    """Change the fields present in `data` (a form passes them all)."""
    require_manager(actor, resource)
    if resource.archived_at is not None:
        raise NotFound("Cette ressource n'existe pas.")
    resource = lock_resource(resource)
    f, values = _read_resource_fields(data, partial=True, resource=resource)
    kind = data.get("kind")
    if kind not in (None, "", resource.kind):
        f.error("kind", "Le type d'une ressource ne peut pas changer : créez-en une nouvelle.")
    capacity = values.get("capacity")
    if capacity is not None and capacity < resource.capacity and "capacity" not in f.errors:
        peak = peak_future_use(resource)
        if capacity < peak:
            f.error("capacity", f"Des réservations à venir occupent déjà {peak} unités en même temps : "
                                "annulez-en avant de réduire la capacité.")
    f.check()
    changed = {k: v for k, v in values.items() if getattr(resource, k) != v}
    for key, value in changed.items():
        setattr(resource, key, value)
    if "capacity" in changed:
        _sync_exclusive(resource)
        realtime.availability_changed(resource, utcnow(), utcnow() + timedelta(days=366))
    if changed:
        audit.record(actor, "resource.updated", resource,
                     changed={k: v for k, v in changed.items() if k != "description"})
    db.session.flush()
    return resource


def archive_resource(resource: Resource, actor: User) -> Resource:
    """Withdraw from the catalogue; existing bookings stay and can still be cancelled."""
    require_manager(actor, resource)
    if resource.archived_at is None:
        resource.archived_at = utcnow()
        audit.record(actor, "resource.archived", resource)
    return resource


def peak_future_use(resource: Resource) -> int:
    rows = db.session.execute(
        sa.select(Booking.start_at, Booking.end_at, Booking.quantity).where(
            Booking.resource_id == resource.id,
            Booking.status.in_(ACTIVE_STATUSES),
            Booking.end_at > utcnow(),
        )
    ).all()
    if resource.kind == "training":
        # Sessions are independent: the peak is the fullest coming session.
        return db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.max(TrainingSession.seats_taken), 0)).where(
                TrainingSession.resource_id == resource.id, TrainingSession.end_at > utcnow()
            )
        ) or 0
    return capacity_rules.peak_use(rows)


def _sync_exclusive(resource: Resource) -> None:
    exclusive = capacity_rules.is_exclusive(resource.kind, resource.capacity)
    db.session.execute(
        sa.update(Booking)
        .where(Booking.resource_id == resource.id, Booking.end_at > utcnow(),
               Booking.exclusive.is_not(exclusive))
        .values(exclusive=exclusive)
        .execution_options(synchronize_session=False)
    )


def read_period(f: Fields, now: datetime, **rules: Any) -> tuple[datetime | None, datetime | None]:
    """`start` and `end` of a form or a JSON body, checked by `period_errors(**rules)`;
    the errors go to `f`."""
    start = f.datetime("start", required=True)
    end = f.datetime("end", required=True)
    if start and end:
        for field, message in period_errors(start, end, now, **rules).items():
            f.error(field, message)
    return start, end


def create_session(resource: Resource, actor: User, data: Mapping[str, Any]) -> TrainingSession:
    require_manager(actor, resource)
    f = Fields(data)
    if resource.kind != "training":
        raise Invalid("Seules les formations ont des sessions.", fields={"resource": "Ce n'est pas une formation."})
    start, end = read_period(f, utcnow())
    seats = f.integer("seats", minimum=1, maximum=MAX_CAPACITY, default=resource.capacity)
    f.check()
    assert start is not None and end is not None
    if is_closed(resource, start, end):
        raise Invalid(fields={"start": "Cette session chevauche une fermeture de la ressource."})
    session = TrainingSession(resource=resource, start_at=start, end_at=end, seats=seats, seats_taken=0)
    db.session.add(session)
    db.session.flush()
    audit.record(actor, "session.created", session, resource=resource.id, seats=seats)
    realtime.availability_changed(resource, start, end)
    return session


_CLOSURE_CLASH = sa.select(Closure.id).where(
    Closure.resource_id == sa.bindparam("rid"),
    Closure.start_at < sa.bindparam("end"),
    Closure.end_at > sa.bindparam("start"),
).limit(1)


def is_closed(resource: Resource, start: datetime, end: datetime) -> bool:
    """Whether a closure overlaps [start, end)."""
    return db.session.scalar(_CLOSURE_CLASH, {"rid": resource.id, "start": start, "end": end}) is not None


def add_closure(resource: Resource, actor: User, data: Mapping[str, Any]) -> Closure:
    """A closure may not hide active bookings: the manager cancels them first (409)."""
    require_manager(actor, resource)
    resource = lock_resource(resource)
    f = Fields(data)
    start, end = read_period(f, utcnow(), ended_only=True)
    reason = f.text("reason", max_len=200, default="")
    f.check()
    assert start is not None and end is not None
    clashing = db.session.scalar(
        sa.select(sa.func.count()).select_from(Booking).where(
            Booking.resource_id == resource.id,
            Booking.status.in_(ACTIVE_STATUSES + ("waitlisted",)),
            Booking.start_at < end,
            Booking.end_at > start,
        )
    ) or 0
    if clashing:
        raise Unavailable(
            f"{clashing} réservation(s) chevauchent cette période : annulez-les ou refusez-les "
            "avant de fermer la ressource."
        )
    closure = Closure(resource=resource, start_at=start, end_at=end, reason=reason or "")
    db.session.add(closure)
    db.session.flush()
    audit.record(actor, "closure.created", closure, resource=resource.id, reason=closure.reason)
    realtime.availability_changed(resource, start, end)
    return closure


def remove_closure(closure_id: Any, actor: User) -> Resource:
    closure = db.session.get(Closure, id_or_404(closure_id, "Cette fermeture n'existe pas."))
    if closure is None or not _may_run(actor, closure.resource):
        raise NotFound("Cette fermeture n'existe pas.")
    resource = closure.resource
    audit.record(actor, "closure.removed", closure, resource=resource.id,
                 start=to_iso(closure.start_at), end=to_iso(closure.end_at))
    realtime.availability_changed(resource, closure.start_at, closure.end_at)
    db.session.delete(closure)
    db.session.flush()
    return resource


# ---------------------------------------------------------------- qualifications

def grant_qualification(resource: Resource, actor: User, email: Any) -> Qualification:
    require_manager(actor, resource)
    f = Fields({"email": email})
    address = f.email("email")
    if resource.kind != "training":
        f.error("email", "Seule une formation délivre une qualification.")
    f.check()
    user = db.session.scalar(sa.select(User).where(User.email == address))
    if user is None:
        raise Invalid(fields={"email": "Aucun compte n'utilise cette adresse."})
    existing = db.session.scalar(sa.select(Qualification).where(
        Qualification.user_id == user.id, Qualification.training_id == resource.id))
    if existing is not None:
        # An expired qualification is granted anew (renewed); a valid one is there already.
        if qualifications.is_valid(existing.created_at, resource.qualification_valid_days, utcnow()):
            raise Duplicate("Cette personne a déjà suivi cette formation.")
        qualifications.renew(existing, actor)
        return existing
    qualification = Qualification(user=user, training=resource, granted_by_id=actor.id, source="manual")
    db.session.add(qualification)
    db.session.flush()
    audit.record(actor, "qualification.granted", qualification, training=resource.id, user=user.id)
    return qualification


def qualifications_of(resource: Resource) -> list[Qualification]:
    return list(
        db.session.scalars(
            sa.select(Qualification)
            .where(Qualification.training_id == resource.id)
            .order_by(Qualification.created_at.desc())
            .options(so.selectinload(Qualification.user))  # the page lists their names
        )
    )


# ---------------------------------------------------------------- free and busy

def free_busy(resource: Resource, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """[start, end) cut into intervals of constant `free` capacity and `closed` flag
    (a closure, or outside opening hours), adjacent equal intervals merged.

    For a training, `free` is the resource's capacity minus nothing: its availability is
    per session (see `upcoming_sessions`); only closures show.
    """
    rows: list[tuple[datetime, datetime, int]] = []
    if resource.kind != "training":
        rows = db.session.execute(
            sa.select(Booking.start_at, Booking.end_at, Booking.quantity).where(
                Booking.resource_id == resource.id,
                Booking.start_at < end,
                Booking.end_at > start,
                Booking.status.in_(ACTIVE_STATUSES),
            )
        ).all()
    closed_periods = db.session.execute(
        sa.select(Closure.start_at, Closure.end_at).where(
            Closure.resource_id == resource.id, Closure.start_at < end, Closure.end_at > start
        )
    ).all()
    closed_periods = list(closed_periods)
    if hours_apply(resource.kind, resource.opening_hours):
        closed_periods.extend(outside_opening(resource.opening_hours, start, end))
    return capacity_rules.free_busy(resource.capacity, start, end, rows, closed_periods)


def next_free_slots(resource: Resource, after: datetime, duration: timedelta, quantity: int = 1,
                    *, count: int = 3, days: int = 28) -> list[tuple[datetime, datetime]]:
    """Free periods as long as `duration` from `after` on (and the resource's notice),
    within `days`: what to offer a member whose slot is taken."""
    earliest = utcnow() + timedelta(minutes=resource.min_notice_minutes or 0)
    after = max(after, earliest)
    intervals = free_busy(resource, after, after + timedelta(days=days))
    return free_slots(intervals, after, duration, quantity, count=count)
