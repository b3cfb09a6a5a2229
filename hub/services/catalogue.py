"""Read-side queries for the catalogue, back-office and calendar pages.

Booking rules live in `hub.services.bookings` and `hub.services.resources`; what a page
makes of these rows (week grids, sentences, badges) lives beside the pages in
`hub.web.views.catalogue`, the files users download in `hub.services.exports`.
The one write here is the user's private calendar-feed token.
"""
from __future__ import annotations

import functools
import json
import logging
import math
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Mapping

import sqlalchemy as sa
import sqlalchemy.orm as so

from hub.extensions import db
from hub.geo import EARTH_RADIUS_KM
from hub.rules.calendar import HOURS_KINDS
from hub.rules.finding import (
    NEXT_FREE_HORIZON,
    NEXT_FREE_MINUTES,
    Busy,
    bookable_windows,
    ceil_to_step,
    free_throughout,
    next_free_start,
    search_key,
    search_words,
)
from hub.rules.validation import Fields
from hub.services import audit, loan_holds
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
# One search serves GET /resources and the catalogue page, and each is one SQL page: the
# distance from `near` is computed, filtered and ordered in SQL, and so is most of a free
# period (see `_free_over`): only the resources whose every unit is booked at some moment of
# it have their bookings read here, to see whether one unit stays free throughout. Then only
# the page's resources are loaded. `next_free` is computed for the page's items alone, from
# one occupancy query for the whole page.

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
    params, shape = _filter_params(search), _shape(search)
    if search.near is None and search.free_from is None:
        total = db.session.scalar(_filtered(sa.select(sa.func.count(Resource.id)), shape), params) or 0
        page = _clamped(page, total, per_page) if clamp else page
        resources = list(db.session.scalars(
            _filtered(sa.select(Resource), shape)
            .options(so.contains_eager(Resource.place))
            .order_by(Resource.name, Resource.id)
            .limit(per_page).offset((page - 1) * per_page), params
        ))
        distances: dict[int, float] = {}
    else:
        ranked = _ranked(db.session.get_bind().dialect.name, shape)
        params |= _ranked_params(search, now)
        rows = _ranked_page(ranked, params, page, per_page)
        total = rows[0].total if rows else db.session.scalar(
            sa.select(sa.func.count()).select_from(ranked.subquery()), params) or 0
        if clamp and not rows and total:
            page = _clamped(page, total, per_page)
            rows = _ranked_page(ranked, params, page, per_page)
        distances = {r.id: r.distance for r in rows if r.distance is not None}
        loaded = {r.id: r for r in db.session.scalars(
            sa.select(Resource).join(Resource.place).options(so.contains_eager(Resource.place))
            .where(Resource.id.in_([r.id for r in rows]))
        )} if rows else {}
        resources = [loaded[r.id] for r in rows]
    free = next_free(resources, now)
    return [Found(r, distances.get(r.id), free.get(r.id)) for r in resources], total, page


def _clamped(page: int, total: int, per_page: int) -> int:
    return min(page, max(1, -(-total // per_page)))


# The searches' statements are built once per shape (which filters, how many words) with
# bound parameters, then given each search's values: building SQLAlchemy expressions this
# large costs more than PostgreSQL takes to run them.
@dataclass(frozen=True)
class _Shape:
    kind: bool
    departement: bool
    region: bool
    place: bool
    words: int
    near: bool
    within: bool
    free: bool


def _shape(search: Search) -> _Shape:
    return _Shape(
        kind=bool(search.kind), departement=bool(search.departement), region=bool(search.region),
        place=bool(search.place), words=len(search_words(search.q)), near=search.near is not None,
        within=search.near is not None and search.within_km is not None,
        free=search.free_from is not None and search.free_to is not None)


def _filter_params(search: Search) -> dict[str, Any]:
    # Folded words hold only [a-z0-9]: nothing for LIKE to escape.
    params: dict[str, Any] = {f"word_{i}": f"%{word}%" for i, word in enumerate(search_words(search.q))}
    if search.kind:
        params["kind"] = search.kind
    if search.departement:
        params["departement"] = search.departement.upper()
    if search.region:
        params["region"] = search.region
    if search.place:
        params["place"] = search.place
    return params


def _filtered(select: sa.Select, shape: _Shape) -> sa.Select:
    """`select` over the non-archived resources (joined to their place) that match the
    search's plain filters (kind, words, département, région, host place; `_filter_params`)."""
    select = select.select_from(Resource).join(Place, Resource.place_id == Place.id).where(
        Resource.archived_at.is_(None))
    if shape.kind:
        select = select.where(Resource.kind == sa.bindparam("kind"))
    if shape.departement:
        select = select.where(Place.departement == sa.bindparam("departement"))
    if shape.region:
        select = select.where(Place.region == sa.bindparam("region"))
    if shape.place:
        select = select.where(Place.slug == sa.bindparam("place"))
    for i in range(shape.words):
        pattern = sa.bindparam(f"word_{i}")
        select = select.where(sa.or_(Resource.search_text.like(pattern), Place.search_text.like(pattern)))
    return select


@functools.lru_cache(maxsize=256)
def _ranked(dialect: str, shape: _Shape) -> sa.Select:
    """(id, distance) of every resource the search keeps, in the order shown: nearest first
    (name order among those at the same distance), else by name (`_ranked_params`)."""
    distance = _distance_km(dialect) if shape.near else None
    select = _filtered(sa.select(Resource.id, (distance if distance is not None else sa.null()).label("distance")),
                       shape)
    if distance is not None and shape.within:
        select = select.where(distance <= sa.bindparam("within_km"))
    if shape.free:
        select = _free_over(select, dialect)
    return select.order_by(*([distance] if distance is not None else []), Resource.name, Resource.id)


def _ranked_params(search: Search, now: datetime) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if search.near is not None:
        origin = search.near
        params |= {"origin_lat": origin.lat, "origin_lon": origin.lon,
                   "origin_cos": math.cos(math.radians(origin.lat))}
        if search.within_km is not None:
            params["within_km"] = search.within_km
    if search.free_from is not None and search.free_to is not None:
        start, end = search.free_from, search.free_to
        windows = _windows_by_table(start, end)
        params |= _period_params(start, end, now)
        params["shut"] = _shut_hours(windows)
        params["free_in_full"] = _free_in_full(start, end, now, windows)
    return params


def _ranked_page(ranked: sa.Select, params: dict[str, Any], page: int, per_page: int) -> list[sa.Row[Any]]:
    """One page of `ranked`, each row with the total the search finds."""
    return list(db.session.execute(
        ranked.add_columns(sa.func.count().over().label("total")).limit(per_page).offset((page - 1) * per_page),
        params))


def _distance_km(dialect: str) -> sa.ColumnElement[float]:
    """The great-circle distance from the origin (`origin_lat`, `origin_lon` and the cosine
    of its latitude, `origin_cos`) to each resource's host, in km rounded to 0.1 km as shown:
    hub.geo's haversine, in SQL (both databases have the functions)."""
    f = sa.func
    half_dlat = f.radians(Place.lat - sa.bindparam("origin_lat", type_=sa.Float)) * 0.5
    half_dlon = f.radians(Place.lon - sa.bindparam("origin_lon", type_=sa.Float)) * 0.5
    a = (f.power(f.sin(half_dlat), 2)
         + sa.bindparam("origin_cos", type_=sa.Float) * f.cos(f.radians(Place.lat)) * f.power(f.sin(half_dlon), 2))
    # Clamped against rounding errors for (nearly) antipodal points: SQLite's min() of
    # several values is PostgreSQL's least().
    a = (f.min if dialect == "sqlite" else f.least)(a, 1.0)
    km = 2 * EARTH_RADIUS_KM * f.asin(f.sqrt(a))
    # Rounded half up, in floating point on both databases (PostgreSQL's round() of a
    # numeric costs more than the distance itself).
    return f.floor(km * 10 + 0.5) / 10.0


# A booking that meets a period but started more than this before it is a long one (longer
# than half a day: LONG_BOOKING_SQL), found through the partial index ix_bookings_long_end.
# An hour past half a day: the SQLite predicate's float arithmetic cannot blur the line.
_SHORT_REACH = timedelta(hours=13)


def _period_params(start: datetime, end: datetime, now: datetime) -> dict[str, datetime]:
    return {"free_from": start, "free_to": end, "reach_from": start - _SHORT_REACH, "now": now}


def _moment(name: str) -> sa.BindParameter[datetime]:
    return sa.bindparam(name, type_=Booking.start_at.type)


def _free_over(select: sa.Select, dialect: str) -> sa.Select:
    """`select` (over resources) narrowed to those with free capacity over the period
    (`_period_params`, `shut`, `free_in_full`): no closure meets it, the resource opens
    during it, and a unit stays free at every open instant; a training, a session inside it
    with a seat.

    The bookings that meet the period are read for the whole network, by time (a period
    holds a few thousand bookings at national scale), not resource by resource: a
    resource's index seeks on its bookings still to come, and thousands of resources'
    futures are most of the table's coming months. A resource whose bookings hold fewer
    units than it has is free throughout; one whose bookings hold them all is free only if
    it has more than one unit and they never all meet at once (`_free_in_full`)."""
    start, end = _moment("free_from"), _moment("free_to")
    held = _held(_meeting(dialect)).subquery()
    closed = sa.exists().where(Closure.resource_id == Resource.id, Closure.start_at < end, Closure.end_at > start)
    with_seat = sa.select(TrainingSession.resource_id).where(
        # start_at < end: implied by the two that follow, spelled out for the index.
        TrainingSession.start_at >= start, TrainingSession.start_at < end,
        TrainingSession.end_at <= end, TrainingSession.seats_taken < TrainingSession.seats,
        TrainingSession.cancelled_at.is_(None))
    opens = sa.or_(Resource.kind.not_in(HOURS_KINDS), _hours_text().not_in(sa.bindparam("shut", expanding=True)))
    timed_free = sa.and_(
        Resource.kind != "training", ~closed, opens,
        sa.or_(sa.func.coalesce(held.c.units, 0) < Resource.capacity,
               Resource.id.in_(sa.bindparam("free_in_full", expanding=True))))
    return select.outerjoin(held, held.c.resource_id == Resource.id).where(
        sa.or_(sa.and_(Resource.kind == "training", Resource.id.in_(with_seat)), timed_free))


def _hours_text() -> sa.ColumnElement[str]:
    """A resource's opening hours as their JSON text ('' for none): the few distinct tables
    are decoded once each (`_windows_by_table`)."""
    return sa.func.coalesce(sa.cast(Resource.opening_hours, sa.Text), "")


Windows = Callable[[str, str], list[tuple[datetime, datetime]]]


def _windows_by_table(start: datetime, end: datetime) -> Windows:
    """`bookable_windows` over [start, end) of a kind and an opening-hour table (as
    `_hours_text`): most resources share one of a few tables, each decoded once."""
    @functools.cache
    def windows(kind: str, hours: str) -> list[tuple[datetime, datetime]]:
        return bookable_windows(kind, json.loads(hours) if hours else None, start, end)
    return windows


@functools.cache
def _hour_tables() -> sa.Select:
    return sa.select(Resource.kind, _hours_text()).distinct().where(
        Resource.kind.in_(HOURS_KINDS), Resource.archived_at.is_(None))


def _shut_hours(windows: Windows) -> list[str]:
    """The opening-hour tables (as `_hours_text`) that open at no moment of the period."""
    return sorted({hours for kind, hours in db.session.execute(_hour_tables()) if hours and not windows(kind, hours)})


@functools.cache
def _meeting(dialect: str) -> sa.CTE:
    """The bookings that meet the period (`_period_params`), whatever their status, and the
    overdue loans: resource_id, start_at, end_at, quantity, and `active` (pending, confirmed
    or out) as 1 or 0.

    The status is not a condition: beside the times, SQLite (no statistics) would seek on
    its index, every confirmed booking of the network."""
    start, end, reach = _moment("free_from"), _moment("free_to"), _moment("reach_from")
    columns = (Booking.resource_id, Booking.start_at, Booking.end_at, Booking.quantity,
               sa.case((Booking.status.in_(ACTIVE_STATUSES), 1), else_=0).label("active"))
    recent = sa.select(*columns).where(Booking.start_at >= reach, Booking.start_at < end, Booking.end_at > start)
    older = sa.select(*columns).where(
        sa.text(LONG_BOOKING_SQL[dialect]), Booking.end_at > start, Booking.start_at < reach)
    # A loan past its end and not returned holds its unit until it comes back
    # (hub.services.loan_holds): through the period, as the booking path counts it.
    overdue = sa.select(Booking.resource_id, Booking.start_at, end.label("end_at"), Booking.quantity,
                        sa.literal(1).label("active")).where(
        loan_holds.overdue_at(_moment("now")), Booking.end_at <= start, Booking.start_at < end)
    # Materialized: read once by time, whatever is joined to it (SQLite would otherwise
    # push a join on the resource into the halves and seek each resource's future).
    return sa.union_all(recent, older, overdue).cte("meeting").prefix_with("MATERIALIZED")


def _held(meeting: sa.CTE) -> sa.Select:
    """resource_id, units: what the active bookings of `meeting` hold, summed by resource
    (the trainings' too: callers leave them out)."""
    return sa.select(meeting.c.resource_id, sa.func.sum(meeting.c.quantity * meeting.c.active).label("units")) \
        .group_by(meeting.c.resource_id)


@functools.cache
def _held_in_full(dialect: str) -> sa.Select:
    """The active bookings meeting the period of the resources of more than one unit whose
    bookings hold all their units, summed, with the resource's kind, capacity and hours."""
    # Joined to the sums, not summed by a window: SQLite would then read the bookings in
    # resource order, the whole table, to partition them.
    meeting = _meeting(dialect)
    held = _held(meeting).subquery()
    return (
        sa.select(meeting.c.resource_id, meeting.c.start_at, meeting.c.end_at, meeting.c.quantity,
                  Resource.kind, Resource.capacity, _hours_text())
        .join(Resource, Resource.id == meeting.c.resource_id)
        .join(held, held.c.resource_id == meeting.c.resource_id)
        .where(meeting.c.active == 1, held.c.units >= Resource.capacity, Resource.capacity > 1,
               Resource.kind != "training", Resource.archived_at.is_(None)))


def _free_in_full(start: datetime, end: datetime, now: datetime, windows: Windows) -> list[int]:
    """The resources of more than one unit whose active bookings meeting [start, end) hold
    all their units, summed, but never all at once while they are open: free throughout."""
    rows = db.session.execute(_held_in_full(db.session.get_bind().dialect.name), _period_params(start, end, now))
    busy: dict[int, list[Busy]] = defaultdict(list)
    resources: dict[int, tuple[str, int, str]] = {}
    for rid, s, e, q, kind, capacity, hours in rows:
        busy[rid].append((s, e, q))
        resources[rid] = (kind, capacity, hours)
    return [rid for rid, (kind, capacity, hours) in resources.items()
            if free_throughout(capacity, windows(kind, hours), busy[rid])]


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
    a training's next session with a free seat. A few queries for the whole list."""
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
    loans = [r.id for r in resources if r.kind == "loan"]
    if loans:
        for rid, held in loan_holds.overdue_by_resource(db.session.connection(), loans, now, horizon):
            busy[rid].append(held)
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

