"""Read-side queries for the catalogue, back-office and calendar pages.

Booking rules live in `hub.services.bookings` and `hub.services.resources`; what a page
makes of these rows (week grids, sentences, badges) lives beside the pages in
`hub.web.views.catalogue`, the files users download in `hub.services.exports`.
The one write here is the user's private calendar-feed token.
"""
from __future__ import annotations

import json
import logging
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping

import sqlalchemy as sa
import sqlalchemy.orm as so

from hub.extensions import db
from hub.rules.calendar import HOURS_KINDS
from hub.rules.finding import (
    NEXT_FREE_HORIZON,
    NEXT_FREE_MINUTES,
    Busy,
    bookable_windows,
    ceil_to_step,
    distance_km,
    free_throughout,
    next_free_start,
    search_key,
    search_words,
)
from hub.rules.validation import Fields
from hub.services import audit
from models import (
    ACTIVE_STATUSES,
    RESOURCE_KINDS,
    Booking,
    Closure,
    Membership,
    Place,
    Resource,
    TrainingSession,
    User,
    utcnow,
)
from models.bookings import LONG_BOOKING_SQL

logger = logging.getLogger(__name__)

# A calendar feed lists what is coming and the recent past, not years of history.
FEED_PAST_DAYS = 90


@sa.event.listens_for(so.Session, "before_flush")
def _fold_search_text(session: so.Session, flush_context: object, instances: object) -> None:
    """Keep the search columns in step with what they fold, whichever service wrote the row
    (places are created and edited in several places; bulk inserts fill them themselves)."""
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Resource):
            key = search_key(obj.name, obj.description)
        elif isinstance(obj, Place):
            key = search_key(obj.name, obj.commune)
        else:
            continue
        if obj.search_text != key:
            obj.search_text = key


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


# ---------------------------------------------------------------- finding resources
#
# One search serves GET /resources and the catalogue page. Without `near` or a free period
# it is one SQL page. With them, the filtered resources' ids and coordinates are read
# (a few thousand rows at national scale), filtered and ordered here, and only the page's
# resources are loaded. A free period's bookings are read once for the whole network, by
# time (see `_free_over`). `next_free` is computed for the page's items alone, from one
# occupancy query for the whole page.

# The longest free period a search may ask about: the network's bookings over it (and the
# half day before) are read.
MAX_FREE_PERIOD = timedelta(days=31)


@dataclass
class Search:
    kind: str | None = None
    q: str | None = None
    departement: str | None = None
    region: str | None = None
    place: str | None = None
    near: Place | None = None
    within_km: float | None = None
    free_from: datetime | None = None
    free_to: datetime | None = None


@dataclass
class Found:
    resource: Resource
    distance_km: float | None
    next_free: datetime | None


def read_search(args: Mapping[str, Any]) -> Search:
    """The API's search parameters; Invalid (422, with `fields`) for a bad value."""
    f = Fields(args)
    search = Search(
        kind=f.choice("kind", RESOURCE_KINDS),
        q=f.text("q", max_len=200),
        departement=f.text("departement", max_len=3),
        place=f.text("place", max_len=120),
        within_km=f.number("within_km", minimum=0, maximum=20_000),
        free_from=f.datetime("free_from"),
        free_to=f.datetime("free_to"),
    )
    near = f.text("near", max_len=120)
    if near is not None:
        search.near = db.session.scalar(sa.select(Place).where(Place.slug == near))
        if search.near is None:
            f.error("near", "Aucun lieu ne porte cet identifiant.")
    if search.within_km is not None and near is None:
        f.error("within_km", "Indiquez aussi le lieu de départ (near).")
    for field, message in period_problems(search.free_from, search.free_to).items():
        f.error(field, message)
    f.check()
    return search


def period_problems(start: datetime | None, end: datetime | None) -> dict[str, str]:
    """What is wrong with a free period, by parameter, in French."""
    if (start is None) != (end is None):
        missing = "free_to" if end is None else "free_from"
        return {missing: "Indiquez le début et la fin de la période (free_from et free_to)."}
    if start is None or end is None:
        return {}
    if end <= start:
        return {"free_to": "La fin de la période doit suivre son début."}
    if end - start > MAX_FREE_PERIOD:
        return {"free_to": f"Une période d'au plus {MAX_FREE_PERIOD.days} jours."}
    return {}


def find_resources(search: Search, *, page: int, per_page: int, clamp: bool = False,
                   now: datetime | None = None) -> tuple[list[Found], int, int]:
    """One page of the resources `search` finds, the total, and the page number shown
    (with `clamp`, the last page when `page` is past it; else past the end is empty)."""
    now = now or utcnow()
    if search.near is None and search.free_from is None:
        total = db.session.scalar(_filtered(sa.select(sa.func.count(Resource.id)), search)) or 0
        page = _clamped(page, total, per_page) if clamp else page
        resources = list(db.session.scalars(
            _filtered(sa.select(Resource), search)
            .options(so.contains_eager(Resource.place))
            .order_by(Resource.name, Resource.id)
            .limit(per_page).offset((page - 1) * per_page)
        ))
        distances: dict[int, float] = {}
    else:
        ranked = _ranked_ids(search)
        total = len(ranked)
        page = _clamped(page, total, per_page) if clamp else page
        chosen = ranked[(page - 1) * per_page:page * per_page]
        distances = {rid: d for rid, d in chosen if d is not None}
        loaded = {r.id: r for r in db.session.scalars(
            sa.select(Resource).join(Resource.place).options(so.contains_eager(Resource.place))
            .where(Resource.id.in_([rid for rid, _ in chosen]))
        )} if chosen else {}
        resources = [loaded[rid] for rid, _ in chosen]
    free = next_free(resources, now)
    return [Found(r, distances.get(r.id), free.get(r.id)) for r in resources], total, page


def _clamped(page: int, total: int, per_page: int) -> int:
    return min(page, max(1, -(-total // per_page)))


def _filtered(select: sa.Select, search: Search) -> sa.Select:
    """`select` over the non-archived resources (joined to their place) that match the
    search's plain filters: kind, words, département, région, host place."""
    select = select.select_from(Resource).join(Place, Resource.place_id == Place.id).where(
        Resource.archived_at.is_(None))
    if search.kind:
        select = select.where(Resource.kind == search.kind)
    if search.departement:
        select = select.where(Place.departement == search.departement.upper())
    if search.region:
        select = select.where(Place.region == search.region)
    if search.place:
        select = select.where(Place.slug == search.place)
    for word in search_words(search.q):
        # Folded words hold only [a-z0-9]: nothing for LIKE to escape.
        pattern = f"%{word}%"
        select = select.where(sa.or_(Resource.search_text.like(pattern), Place.search_text.like(pattern)))
    return select


def _ranked_ids(search: Search) -> list[tuple[int, float | None]]:
    """(id, distance) of every resource the search keeps, in the order shown."""
    free_period = search.free_from is not None and search.free_to is not None
    columns = [Resource.id, Place.lat, Place.lon]
    if free_period:
        # The hours as their JSON text: a few distinct tables, decoded once each below.
        columns += [Resource.kind, Resource.capacity, sa.cast(Resource.opening_hours, sa.Text)]
    # Plain tuples: thousands of rows at national scale, each read several times below.
    rows = [tuple(r) for r in db.session.execute(
        _filtered(sa.select(*columns), search).order_by(Resource.name, Resource.id))]
    origin = (search.near.lat, search.near.lon) if search.near is not None else None
    distances: dict[tuple[float, float], float] = {}
    if origin:
        # Resources share their host's position: one distance per place.
        distances = {point: distance_km(origin, point) for point in {(r[1], r[2]) for r in rows}}
        if search.within_km is not None:
            rows = [r for r in rows if distances[(r[1], r[2])] <= search.within_km]
    if free_period:
        assert search.free_from is not None and search.free_to is not None
        free = _free_over(rows, search.free_from, search.free_to)
        rows = [r for r in rows if r[0] in free]
    if not origin:
        return [(r[0], None) for r in rows]
    # Stable: name order among resources at the same distance.
    return sorted(((r[0], distances[(r[1], r[2])]) for r in rows), key=lambda item: item[1])


def _free_over(rows: list[tuple[Any, ...]], start: datetime, end: datetime) -> set[int]:
    """The ids among `rows` (id, lat, lon, kind, capacity, hours as JSON text) with free
    capacity over [start, end): no closure meets it and a unit stays free at every open
    instant; a training, a session inside it with a seat.

    What meets the period is read for the whole network, by time (a period holds a few
    thousand bookings at national scale), not resource by resource: a resource's index
    seeks on its bookings still to come, and thousands of resources' futures are most of
    the table's coming months."""
    closed = set(db.session.scalars(
        sa.select(Closure.resource_id).where(Closure.start_at < end, Closure.end_at > start)
    ))
    with_seat = set(db.session.scalars(
        sa.select(TrainingSession.resource_id).where(
            # start_at < end: implied by the two that follow, spelled out for the index.
            TrainingSession.start_at >= start, TrainingSession.start_at < end,
            TrainingSession.end_at <= end, TrainingSession.seats_taken < TrainingSession.seats,
            TrainingSession.cancelled_at.is_(None))
    ))
    # What the active bookings of the period hold, summed: a resource whose sum stays under
    # its capacity is free throughout, a capacity-1 one with any is not (a booking lies in
    # opening hours); only larger capacities held in full need their bookings' times.
    held = _held(start, end)
    # Times are read (and converted) only for the few that need them.
    full = [r[0] for r in rows if r[3] != "training" and r[4] > 1 and held.get(r[0], 0) >= r[4]]
    busy = _busy_by_resource(full, start, end) if full else {}
    # Most resources share one of a few opening-hour tables: their windows once each.
    windows: dict[tuple[bool, str | None], list[tuple[datetime, datetime]]] = {}
    free = set()
    for rid, _, _, kind, capacity, hours in rows:
        if kind == "training":
            if rid in with_seat:
                free.add(rid)
            continue
        if rid in closed:
            continue
        key = (kind in HOURS_KINDS, hours)
        if key not in windows:
            windows[key] = bookable_windows(kind, json.loads(hours) if hours else None, start, end)
        if windows[key] and (held.get(rid, 0) < capacity or (
                capacity > 1 and free_throughout(capacity, windows[key], busy[rid]))):
            free.add(rid)
    return free


# A booking that meets a period but started more than this before it is a long one (longer
# than half a day: LONG_BOOKING_SQL), found through the partial index ix_bookings_long_end.
# An hour past half a day: the SQLite predicate's float arithmetic cannot blur the line.
_SHORT_REACH = timedelta(hours=13)


def _held(start: datetime, end: datetime) -> dict[int, int]:
    """The units the active bookings meeting [start, end) hold, summed by resource (the
    trainings' too: callers leave them out)."""
    long_booking = sa.text(LONG_BOOKING_SQL[db.session.get_bind().dialect.name])
    columns = (Booking.resource_id, Booking.quantity, Booking.status)
    recent = sa.select(*columns).where(
        Booking.start_at >= start - _SHORT_REACH, Booking.start_at < end, Booking.end_at > start)
    older = sa.select(*columns).where(
        long_booking, Booking.end_at > start, Booking.start_at < start - _SHORT_REACH)
    held: dict[int, int] = defaultdict(int)
    # The status is checked here: in SQL, SQLite (no statistics) would seek on it. No
    # times: converting thousands of them costs more than the query on PostgreSQL.
    for rid, q, status in db.session.execute(sa.union_all(recent, older)).all():
        if status in ACTIVE_STATUSES:
            held[rid] += q
    return held


def _busy_by_resource(resource_ids: list[int], start: datetime, end: datetime) -> dict[int, list[Busy]]:
    """The active bookings of the resources `resource_ids` that meet [start, end), by
    resource. Trainings' bookings hold seats, not time: callers leave trainings out."""
    busy: dict[int, list[Busy]] = defaultdict(list)
    # The status is checked here, not in SQL: beside `resource_id IN (...)` a condition on
    # it makes SQLite (which has no statistics) walk the status index, every confirmed
    # booking of the network (0.3 s at national scale), instead of each resource's coming
    # bookings. The few inactive rows read cost nothing.
    for rid, s, e, q, status in db.session.execute(
        sa.select(Booking.resource_id, Booking.start_at, Booking.end_at, Booking.quantity, Booking.status)
        .where(Booking.resource_id.in_(resource_ids), Booking.start_at < end, Booking.end_at > start)
    ).all():
        if status in ACTIVE_STATUSES:
            busy[rid].append((s, e, q))
    return busy


def next_free(resources: list[Resource], now: datetime) -> dict[int, datetime | None]:
    """Each resource's `next_free`: the start of its next free slot of at least an hour
    (or its minimum duration) within four weeks, within opening hours and after its notice;
    a training's next session with a free seat. Three queries for the whole list."""
    horizon = now + NEXT_FREE_HORIZON
    timed = [r.id for r in resources if r.kind != "training"]
    trainings = [r.id for r in resources if r.kind == "training"]
    result: dict[int, datetime | None] = {r.id: None for r in resources}
    if trainings:
        for rid, start in db.session.execute(
            sa.select(TrainingSession.resource_id, sa.func.min(TrainingSession.start_at))
            .where(TrainingSession.resource_id.in_(trainings), TrainingSession.start_at > now,
                   TrainingSession.start_at < horizon, TrainingSession.seats_taken < TrainingSession.seats,
                   TrainingSession.cancelled_at.is_(None))
            .group_by(TrainingSession.resource_id)
        ):
            result[rid] = start
    if not timed:
        return result
    busy = _busy_by_resource(timed, now, horizon)
    closed: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for rid, s, e in db.session.execute(
        sa.select(Closure.resource_id, Closure.start_at, Closure.end_at)
        .where(Closure.resource_id.in_(timed), Closure.start_at < horizon, Closure.end_at > now)
    ):
        closed[rid].append((s, e))
    # A page's resources share a few opening-hour tables and notices: four weeks of
    # windows once for each.
    windows: dict[tuple[bool, str, datetime], list[tuple[datetime, datetime]]] = {}
    for r in resources:
        if r.kind == "training":
            continue
        earliest = ceil_to_step(now + timedelta(minutes=r.min_notice_minutes or 0))
        key = (r.kind in HOURS_KINDS, json.dumps(r.opening_hours, sort_keys=True), earliest)
        if key not in windows:
            windows[key] = bookable_windows(r.kind, r.opening_hours, earliest, horizon)
        result[r.id] = next_free_start(
            r.capacity, windows[key], busy.get(r.id, []), closed.get(r.id, []),
            max(NEXT_FREE_MINUTES, r.min_duration_minutes or 0))
    return result

