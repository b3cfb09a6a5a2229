"""The served flows, kept as monthly aggregates current with every booking change.

`analytics_flows` (models.FlowMonth) holds, per (host place, booking place, Paris month,
resource kind), what the network counts of the bookings; `analytics_totals` the same over
all time per (host, booking place, kind), and `analytics_months` per (month, booking place),
each read by the views that need it. What the network counts: those confirmed and not recorded
as a no-show, made by another place than the host. Every change that moves a booking in
or out of that set, or changes what it counts, moves the counters in the same
transaction:

- `booking_created`: the creation path's Core INSERT (no ORM object, no flush) calls it;
- every ORM change to a Booking (confirm, refuse, cancel, promote, attendance, and any
  other edit, in a service or a script) is seen at flush by a session listener, which
  subtracts the booking's previous contribution and adds its new one.

Counters move by `INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n`: exact under
concurrency on PostgreSQL (the conflict takes the row lock, and the increment reads the
committed value), and on SQLite, whose write transactions take the database lock up front
(BEGIN IMMEDIATE). Rows that fall to zero stay (readers skip them): deleting them could
race with a concurrent increment for nothing.

Bulk loads (the demo) write bookings without either path, then call `rebuild()`.

Reading: `read_flows(start, end)` sums the whole months of a period from the aggregates
and reads the partial months at its edges from those days' bookings only; a process
keeps the all-time totals and months current by reading only the rows changed since
its last read (`hub.services.analytics_mirror`, numbered by `analytics_clock`).
"""
from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Iterator, Mapping, Sequence

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from hub.extensions import db
from hub.rules.network import PARIS, Flow
from models import AnalyticsClock, Booking, FlowMonth, FlowTotal, MonthPlace, Place, Resource

logger = logging.getLogger(__name__)

INCUBATION = "incubation"
# A booking serves its place once confirmed; a loan stays counted while it is out and
# once it is back (checkout and return are steps of a confirmed loan, not changes of mind).
SERVED_STATUSES = ("confirmed", "out", "returned")
_FLOWS = FlowMonth.__table__
_COUNTERS = ("bookings", "beneficiaries", "verified", "seconds")
_KEY = ("host_id", "place_id", "month", "kind")
# The booking fields a contribution depends on.
_COUNTED_FIELDS = ("status", "attended", "beneficiaries", "quantity", "start_at", "end_at",
                   "place_id", "resource_id")

Key = tuple[int, int, str, str]


# ---------------------------------------------------------------- what a booking counts


def paris_month(instant: datetime) -> str:
    return instant.astimezone(PARIS).strftime("%Y-%m")


def contribution(values: Any, host_id: int, kind: str) -> tuple[Key, tuple[int, int, int, int]] | None:
    """The aggregate key and counters (bookings, beneficiaries, verified, seconds) of one
    booking (anything with the Booking columns as attributes), or None when it does not
    count: not confirmed, a no-show, or made by its host for itself."""
    if values.status not in SERVED_STATUSES or values.attended is False or values.place_id == host_id:
        return None
    beneficiaries = values.beneficiaries if values.beneficiaries is not None else values.quantity
    verified = beneficiaries if values.attended is True else 0
    seconds = int((values.end_at - values.start_at).total_seconds())
    key = (host_id, values.place_id, paris_month(values.start_at), kind)
    return key, (1, beneficiaries, verified, seconds)


class _Deltas:
    def __init__(self) -> None:
        self.rows: dict[Key, list[int]] = {}

    def add(self, found: tuple[Key, tuple[int, ...]] | None, sign: int) -> None:
        if found is None:
            return
        key, counters = found
        row = self.rows.setdefault(key, [0, 0, 0, 0])
        for i, value in enumerate(counters):
            row[i] += sign * value


class _Aggregate:
    """One aggregate table: its key columns, taken from the finest key
    (host, place, month, kind), and the statements that move its counters."""

    def __init__(self, table: sa.Table, key: tuple[str, ...], sequenced: bool = False) -> None:
        self.table, self.key, self.sequenced = table, key, sequenced
        self._positions = [_KEY.index(name) for name in key]
        self.upserts = {}
        for dialect, insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert)):
            stmt = insert(table)
            moved = {name: table.c[name] + stmt.excluded[name] for name in _COUNTERS}
            self.upserts[dialect] = stmt.on_conflict_do_update(index_elements=list(key), set_=moved)
        # A decrement is an UPDATE, never an upsert: the row it moves holds the
        # contribution being taken back, and an INSERT's candidate row with negative
        # counters would fail the CHECKs (both databases check them before resolving the
        # conflict).
        self.decrement = (
            sa.update(table)
            .where(*(table.c[name] == sa.bindparam(f"k_{name}") for name in key))
            .values({name: table.c[name] + sa.bindparam(f"d_{name}") for name in _COUNTERS})
        )


    def project(self, rows: Mapping[Key, Sequence[int]]) -> dict[tuple, list[int]]:
        summed: dict[tuple, list[int]] = {}
        for key, counters in rows.items():
            cell = summed.setdefault(tuple(key[i] for i in self._positions), [0, 0, 0, 0])
            for i, value in enumerate(counters):
                cell[i] += value
        return summed

    def apply(self, conn: sa.Connection, rows: Mapping[Key, Sequence[int]]) -> None:
        increments, decrements = [], []
        for key, counters in sorted(self.project(rows).items()):
            if not any(counters):
                continue
            if all(c >= 0 for c in counters):
                increments.append({**dict(zip(self.key, key)), **dict(zip(_COUNTERS, counters))})
            else:
                decrements.append({**{f"k_{n}": v for n, v in zip(self.key, key)},
                                   **{f"d_{n}": v for n, v in zip(_COUNTERS, counters)}})
        if increments:
            conn.execute(self.upserts[conn.dialect.name], increments)
        for params in decrements:
            if conn.execute(self.decrement, params).rowcount != 1:
                # Only when the aggregates were never built for these bookings (a database
                # upgraded without `flask analytics rebuild`): a rebuild puts them right.
                logger.warning("analytics: no %s row for %s; run `flask analytics rebuild`",
                               self.table.name, {n: params[f"k_{n}"] for n in self.key})

    def stored(self) -> dict[tuple, tuple[int, ...]]:
        rows = db.session.execute(sa.select(*(self.table.c[n] for n in self.key + _COUNTERS)))
        width = len(self.key)
        return {tuple(r[:width]): tuple(r[width:]) for r in rows if any(r[width:])}


AGGREGATES = (
    _Aggregate(_FLOWS, _KEY),
    _Aggregate(FlowTotal.__table__, ("host_id", "place_id", "kind"), sequenced=True),  # type: ignore[arg-type]
    _Aggregate(MonthPlace.__table__, ("month", "place_id"), sequenced=True),  # type: ignore[arg-type]
)
_CLOCK = AnalyticsClock.__table__


def _tick(conn: sa.Connection, epoch: int = 0) -> int:
    """The next change number, the clock's row locked until the commit."""
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(_CLOCK).values(id=1, n=1, epoch=0)
    moved: dict[str, Any] = {"n": _CLOCK.c.n + 1}
    if epoch:
        moved["epoch"] = _CLOCK.c.epoch + epoch
    return int(conn.execute(
        stmt.on_conflict_do_update(index_elements=["id"], set_=moved).returning(_CLOCK.c.n)
    ).scalar_one())


def clock_reading() -> tuple[int, int] | None:
    """(change number, epoch) of the last transaction that changed a counted booking, or
    a rebuild; None before the first."""
    row = db.session.execute(sa.select(_CLOCK.c.n, _CLOCK.c.epoch).where(_CLOCK.c.id == 1)).first()
    return None if row is None else (row[0], row[1])


_STAMPS = "analytics_stamps"
# The session changed a counted booking, whether or not its figures moved (a booking moved
# within its month leaves the all-time rows as they were, not a bounded period's edges).
_TOUCHED = "analytics_touched"


def _apply(conn: sa.Connection, deltas: _Deltas, session: so.Session) -> None:
    if deltas.rows:
        session.info[_TOUCHED] = True
    rows = {key: row for key, row in deltas.rows.items() if any(row)}
    if rows:
        for aggregate in AGGREGATES:
            aggregate.apply(conn, rows)
        stamps = session.info.setdefault(_STAMPS, {})
        for aggregate in AGGREGATES:
            if aggregate.sequenced:
                stamps.setdefault(aggregate, set()).update(aggregate.project(rows))


@sa.event.listens_for(so.Session, "before_commit")
def _stamp_moved_rows(session: so.Session) -> None:
    """The rows this transaction moved get the next change number, taken now, at the
    very end: the clock's lock is the last one the transaction takes (no lock-order
    deadlock with the resource rows), and it is held only through the commit, so
    transactions commit in the order of their numbers (`hub.services.analytics_mirror`).
    Rows a rollback took back keep their stamp to come, for the session's next commit:
    a reader reads them again for nothing, and misses nothing."""
    if session.in_nested_transaction():
        return
    if session.new or session.dirty or session.deleted:
        # The commit flushes after this hook: flush first, so that its changes are stamped.
        session.flush()
    stamps = session.info.pop(_STAMPS, None)
    touched = session.info.pop(_TOUCHED, False)
    if not stamps and not touched:
        return
    conn = session.connection()
    seq = _tick(conn)
    for aggregate, keys in (stamps or {}).items():
        table = aggregate.table
        stmt = (sa.update(table).where(*(table.c[n] == sa.bindparam(f"k_{n}") for n in aggregate.key))
                .values(seq=seq))
        conn.execute(stmt, [{f"k_{n}": v for n, v in zip(aggregate.key, key)} for key in sorted(keys)])


def booking_created(conn: sa.Connection, booking: Any, host_id: int, kind: str) -> None:
    """A booking was written without the ORM (`booking`: its row): count it if it counts."""
    found = contribution(booking, host_id, kind)
    if found is not None:
        deltas = _Deltas()
        deltas.add(found, 1)
        _apply(conn, deltas, db.session())


class _Values:
    """A booking's counted fields as they stood before the flush (the attributes' history
    of the pending changes)."""

    def __init__(self, booking: Booking) -> None:
        state = sa.inspect(booking)
        for name in _COUNTED_FIELDS:
            history = state.attrs[name].history
            setattr(self, name, history.deleted[0] if history.deleted else getattr(booking, name))


def _changed(booking: Booking) -> bool:
    state = sa.inspect(booking)
    return any(state.attrs[name].history.has_changes() for name in _COUNTED_FIELDS)


_PENDING = "analytics_before"


@sa.event.listens_for(so.Session, "before_flush")
def _remember_bookings_before(session: so.Session, _context: Any, _instances: Any) -> None:
    # Before the flush: a deleted booking's values may need loading, which its DELETE
    # would make impossible afterwards.
    dirty = [b for b in session.dirty if isinstance(b, Booking) and _changed(b)]
    gone = [b for b in session.deleted if isinstance(b, Booking)]
    if dirty or gone:
        session.info.setdefault(_PENDING, []).extend(
            [(b, _Values(b), True) for b in dirty] + [(b, _Values(b), False) for b in gone]
        )


@sa.event.listens_for(so.Session, "after_flush")
def _count_flushed_bookings(session: so.Session, _context: Any) -> None:
    new = [b for b in session.new if isinstance(b, Booking)]
    changed = session.info.pop(_PENDING, [])
    if not (new or changed):
        return
    resource_ids = {b.resource_id for b in new}
    resource_ids.update(before.resource_id for _, before, _ in changed)
    resource_ids.update(b.resource_id for b, _, still in changed if still)
    conn = session.connection()
    hosts = {
        rid: (host, kind)
        for rid, host, kind in conn.execute(
            sa.select(Resource.id, Resource.place_id, Resource.kind).where(Resource.id.in_(resource_ids))
        )
    }
    deltas = _Deltas()

    def count(values: Any, sign: int) -> None:
        found = hosts.get(values.resource_id)
        if found is not None:
            deltas.add(contribution(values, *found), sign)

    for booking in new:
        count(booking, 1)
    for booking, before, still in changed:
        count(before, -1)
        if still:
            count(booking, 1)
    _apply(conn, deltas, session)


@sa.event.listens_for(so.Session, "after_soft_rollback")
def _forget(session: so.Session, _previous: Any) -> None:
    session.info.pop(_PENDING, None)


# ---------------------------------------------------------------- rebuilding


def _bookings_with_hosts(batch: int = 20_000) -> Iterator[sa.Row[Any]]:
    query = (
        sa.select(
            Booking.status, Booking.attended, Booking.beneficiaries, Booking.quantity,
            Booking.start_at, Booking.end_at, Booking.place_id,
            Resource.place_id.label("host_id"), Resource.kind,
        )
        .join(Resource, Resource.id == Booking.resource_id)
        .where(Booking.status.in_(SERVED_STATUSES), Resource.place_id != Booking.place_id)
        .execution_options(yield_per=batch)
    )
    yield from db.session.execute(query)


def _computed_flows(progress: Any = None) -> dict[Key, list[int]]:
    deltas = _Deltas()
    total = 0
    for row in _bookings_with_hosts():
        deltas.add(contribution(row, row.host_id, row.kind), 1)
        total += 1
        if progress is not None and total % 10_000 == 0:
            progress(10_000)
    if progress is not None:
        progress(total % 10_000)
    return {key: row for key, row in deltas.rows.items() if any(row)}


def computed_aggregates() -> dict[str, dict[tuple, tuple[int, ...]]]:
    """Every aggregate table as the bookings define it (what `rebuild` writes)."""
    flows = _computed_flows()
    return {
        a.table.name: {k: tuple(v) for k, v in a.project(flows).items() if any(v)} for a in AGGREGATES
    }


def stored_aggregates() -> dict[str, dict[tuple, tuple[int, ...]]]:
    """Every aggregate table as it holds them (rows fallen to zero left out)."""
    return {a.table.name: a.stored() for a in AGGREGATES}


def counted_bookings() -> int:
    """How many bookings the network counts (for the progress bar)."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Booking)
        .join(Resource, Resource.id == Booking.resource_id)
        .where(Booking.status.in_(SERVED_STATUSES), Resource.place_id != Booking.place_id)
    ) or 0


def _rebuild_in_postgresql(conn: sa.Connection) -> int:
    """`rebuild` as three INSERT ... SELECT: PostgreSQL groups 10,000,000 bookings in
    seconds where reading them into Python takes most of an hour. Counted exactly as
    `contribution` counts (Paris month, beneficiaries else quantity, whole seconds)."""
    beneficiaries = sa.func.coalesce(Booking.beneficiaries, Booking.quantity)
    month = sa.func.to_char(sa.func.timezone("Europe/Paris", Booking.start_at), "YYYY-MM")
    seconds = sa.cast(sa.func.floor(sa.func.extract("epoch", Booking.end_at - Booking.start_at)), sa.BigInteger)
    flows = (
        sa.select(Resource.place_id, Booking.place_id, month, Resource.kind, sa.func.count(),
                  sa.func.sum(beneficiaries),
                  sa.func.sum(sa.case((Booking.attended.is_(True), beneficiaries), else_=0)),
                  sa.func.sum(seconds))
        .select_from(Booking).join(Resource, Resource.id == Booking.resource_id)
        .where(Booking.status.in_(SERVED_STATUSES), Booking.attended.is_not(False),
               Resource.place_id != Booking.place_id)
        .group_by(Resource.place_id, Booking.place_id, month, Resource.kind)
    )
    written = conn.execute(sa.insert(_FLOWS).from_select(list(_KEY) + list(_COUNTERS), flows)).rowcount
    for aggregate in AGGREGATES[1:]:
        key = [_FLOWS.c[name] for name in aggregate.key]
        summed = [sa.func.sum(_FLOWS.c[name]) for name in _COUNTERS]
        written += conn.execute(sa.insert(aggregate.table).from_select(
            list(aggregate.key) + list(_COUNTERS), sa.select(*key, *summed).group_by(*key))).rowcount
    return written


def rebuild(progress: Any = None) -> int:
    """Recompute every aggregate from the bookings, in the caller's transaction; the
    number of rows written. `progress(n)` is called as bookings are read."""
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        for aggregate in AGGREGATES:
            conn.execute(sa.delete(aggregate.table))
        written = _rebuild_in_postgresql(conn)
        if progress is not None:
            progress(counted_bookings())
    else:
        flows = _computed_flows(progress)
        written = 0
        for aggregate in AGGREGATES:
            conn.execute(sa.delete(aggregate.table))
            rows = [
                {**dict(zip(aggregate.key, key)), **dict(zip(_COUNTERS, counters))}
                for key, counters in sorted(aggregate.project(flows).items()) if any(counters)
            ]
            for start in range(0, len(rows), 5_000):
                conn.execute(sa.insert(aggregate.table), rows[start:start + 5_000])
            written += len(rows)
    # A new epoch, taken last (the clock's lock is always the last one a transaction
    # takes): readers holding rows that may now be gone start again from nothing.
    _tick(conn, epoch=1)
    logger.info("analytics rebuilt: %d rows", written)
    return written


# ---------------------------------------------------------------- reading


def month_start(instant: datetime) -> datetime:
    """The start (in UTC) of the Paris month holding `instant`."""
    local = instant.astimezone(PARIS)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(timezone.utc)


def next_month_start(instant: datetime) -> datetime:
    local = month_start(instant).astimezone(PARIS)
    following = (local.replace(tzinfo=None) + timedelta(days=32)).replace(day=1)
    return following.replace(tzinfo=PARIS).astimezone(timezone.utc)


def split_period(start: datetime | None, end: datetime | None) -> tuple[
        tuple[str | None, str | None] | None, list[tuple[datetime | None, datetime | None]]]:
    """[start, end) as (whole months [first, last) read from the aggregates, or None) and
    the stretches at the edges read from the bookings."""
    first = None if start is None else (start if month_start(start) == start else next_month_start(start))
    last = None if end is None else month_start(end)
    if first is not None and last is not None and first >= last:
        return None, [(start, end)]
    edges = []
    if start is not None and first is not None and start < first:
        edges.append((start, first))
    if end is not None and last is not None and last < end:
        edges.append((last, end))
    months = (None if first is None else paris_month(first), None if last is None else paris_month(last))
    return months, edges


_TOTALS = FlowTotal.__table__
_MONTHS = MonthPlace.__table__


def _month_conditions(table: sa.Table, months: tuple[str | None, str | None]) -> list[sa.ColumnElement[bool]]:
    first, last = months
    conditions = []
    if first is not None:
        conditions.append(table.c.month >= first)
    if last is not None:
        conditions.append(table.c.month < last)
    return conditions


def _aggregate_flows_query(months: tuple[str | None, str | None]) -> sa.Select:
    # All time: the totals; otherwise the months of the period.
    table = _TOTALS if months == (None, None) else _FLOWS
    incubation = table.c.kind == INCUBATION
    return (
        sa.select(
            table.c.host_id, table.c.place_id, sa.func.sum(table.c.bookings),
            sa.func.sum(table.c.beneficiaries), sa.func.sum(table.c.verified),
            sa.func.sum(sa.case((incubation, 0), else_=table.c.seconds)),
            sa.func.sum(sa.case((incubation, table.c.seconds), else_=0)),
        )
        .where(*_month_conditions(table, months))
        .group_by(table.c.host_id, table.c.place_id)
        .having(sa.func.sum(table.c.bookings) > 0)
        .order_by(table.c.host_id, table.c.place_id)
    )


def counted_conditions(start: datetime | None, end: datetime | None) -> list[sa.ColumnElement[bool]]:
    """The bookings the network counts, starting in [start, end)."""
    conditions = [
        Booking.status.in_(SERVED_STATUSES),
        Booking.attended.is_not(False),
        Resource.place_id != Booking.place_id,
    ]
    if start is not None:
        conditions.append(Booking.start_at >= start)
    if end is not None:
        conditions.append(Booking.start_at < end)
    return conditions


def _hours_expression(dialect: str) -> sa.ColumnElement[float]:
    if dialect == "postgresql":
        return sa.func.extract("epoch", Booking.end_at - Booking.start_at) / 3600.0
    # SQLite keeps the UTC datetimes as text; julianday() reads them, in days.
    return (sa.func.julianday(Booking.end_at) - sa.func.julianday(Booking.start_at)) * 24.0


def bookings_flows_query(start: datetime | None, end: datetime | None, dialect: str) -> sa.Select:
    """The flows of [start, end) straight from the bookings (the edges of a period)."""
    beneficiaries = sa.func.coalesce(Booking.beneficiaries, Booking.quantity)
    hours = _hours_expression(dialect)
    incubation = Resource.kind == INCUBATION
    return (
        sa.select(
            Resource.place_id, Booking.place_id, sa.func.count(), sa.func.sum(beneficiaries),
            sa.func.sum(sa.case((Booking.attended.is_(True), beneficiaries), else_=0)),
            sa.func.sum(sa.case((incubation, 0.0), else_=hours)),
            sa.func.sum(sa.case((incubation, hours), else_=0.0)),
        )
        .select_from(Booking)
        .join(Resource, Resource.id == Booking.resource_id)
        .where(*counted_conditions(start, end))
        .group_by(Resource.place_id, Booking.place_id)
    )


def read_flows(start: datetime | None, end: datetime | None) -> list[Flow]:
    """The flows of the bookings starting in [start, end) (None: unbounded)."""
    months, edges = split_period(start, end)
    sums: dict[tuple[int, int], list[float]] = defaultdict(lambda: [0, 0, 0, 0.0, 0.0])

    def add(rows: Iterable[sa.Row[Any]], per_hour: float) -> None:
        for host, place, n, ben, verified, hours, incubation in rows:
            cell = sums[(int(host), int(place))]
            cell[0] += int(n)
            cell[1] += int(ben or 0)
            cell[2] += int(verified or 0)
            cell[3] += float(hours or 0) / per_hour
            cell[4] += float(incubation or 0) / per_hour

    if months is not None:
        rows = db.session.execute(_aggregate_flows_query(months)).all()
        if not edges:
            # One source, already one row per pair: straight to the flows.
            return [
                Flow(host, place, int(n), int(ben), float(seconds) / 3600.0, int(verified),
                     float(incubation) / 3600.0)
                for host, place, n, ben, verified, seconds, incubation in rows
            ]
        add(rows, 3600.0)
    dialect = db.engine.dialect.name
    for edge_start, edge_end in edges:
        add(db.session.execute(bookings_flows_query(edge_start, edge_end, dialect)), 1.0)
    return [
        Flow(host, place, int(c[0]), int(c[1]), c[3], verified=int(c[2]), incubation_hours=c[4])
        for (host, place), c in sorted(sums.items())
        if c[0] > 0
    ]


def _hour_bucket(dialect: str) -> sa.ColumnElement[str]:
    """The booking's start as the UTC text "YYYY-MM-DD HH" (same on both databases)."""
    if dialect == "postgresql":
        return sa.func.to_char(sa.func.timezone("UTC", Booking.start_at), "YYYY-MM-DD HH24")
    # SQLite holds them as "YYYY-MM-DD HH:MM:SS.ffffff" text: cut, don't parse.
    return sa.func.substr(Booking.start_at, 1, 13)


def read_monthly(start: datetime | None, end: datetime | None) -> tuple[list[sa.Row[Any]], list[sa.Row[Any]]]:
    """What `monthly_by_territory` reads for [start, end): (UTC hour, territory of the served
    place, bookings, beneficiaries) of the edges' bookings, and (Paris month, territory,
    bookings, beneficiaries) of the whole months' aggregates."""
    months, edges = split_period(start, end)
    month_rows: list[sa.Row[Any]] = []
    if months is not None:
        month_rows = list(db.session.execute(
            sa.select(_MONTHS.c.month, Place.territory, sa.func.sum(_MONTHS.c.bookings),
                      sa.func.sum(_MONTHS.c.beneficiaries))
            .join(Place, Place.id == _MONTHS.c.place_id)
            .where(*_month_conditions(_MONTHS, months))
            .group_by(_MONTHS.c.month, Place.territory)
            .having(sa.func.sum(_MONTHS.c.bookings) > 0)
        ))
    hour_rows: list[sa.Row[Any]] = []
    hour = _hour_bucket(db.engine.dialect.name)
    for edge_start, edge_end in edges:
        hour_rows.extend(db.session.execute(
            sa.select(hour, Place.territory, sa.func.count(),
                      sa.func.sum(sa.func.coalesce(Booking.beneficiaries, Booking.quantity)))
            .select_from(Booking)
            .join(Resource, Resource.id == Booking.resource_id)
            .join(Place, Place.id == Booking.place_id)
            .where(*counted_conditions(edge_start, edge_end))
            .group_by(hour, Place.territory)
        ))
    return hour_rows, month_rows
