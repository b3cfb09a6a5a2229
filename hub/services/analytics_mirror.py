"""The all-time aggregates as one process last read them, kept current by reading only
the rows whose change number is above the highest it holds.

Every transaction that moves `analytics_totals` or `analytics_months` first bumps the
one row of `analytics_clock` (`analytics._tick`) and stamps the rows it moves with that
number. Bumping locks the clock's row until the commit (PostgreSQL; SQLite writes one at
a time), so transactions commit in the order of their numbers: a reader that has every
row up to n and reads the rows above n misses nothing that was committed before it
asked. A rebuild moves the clock's `epoch`: readers then start again from nothing.
"""
from __future__ import annotations

import threading
from collections import defaultdict, deque
from typing import Any, Callable, Mapping

import sqlalchemy as sa

from hub.extensions import db
from hub.rules.network import Flow
from hub.services.analytics import INCUBATION
from models import AnalyticsClock, FlowTotal, MonthPlace

# How many versions of the flows a `TotalsMirror` remembers the changes of.
LOG_VERSIONS = 512
TOTALS = FlowTotal.__table__
MONTHS = MonthPlace.__table__
CLOCK = AnalyticsClock.__table__


class _Mirror:
    """What both mirrors share: a lock, a reset (`_clear`) and reads made under one epoch."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clear(None)

    def _clear(self, places_key: str | None) -> None:
        raise NotImplementedError

    def _epoch(self) -> int | None:
        return db.session.scalar(sa.select(CLOCK.c.epoch).where(CLOCK.c.id == 1))

    def _consistent(self, places_key: str, read: Callable[[], list[sa.Row[Any]]]) -> list[sa.Row[Any]]:
        """`read()` (the rows changed since this mirror's last read), under `self._lock`,
        within one epoch: places gone take their rows with them (cascade), unseen by the
        numbers, and a rebuild rewrites every row, so either starts again from nothing; a
        rebuild committed while the rows were read means reading them again."""
        if places_key != self.places_key:
            self._clear(places_key)
        while True:
            epoch = self._epoch()
            if epoch != self.epoch:
                self._clear(places_key)
            rows = read()
            if self._epoch() == epoch:
                break
        self.epoch = epoch
        return rows


class TotalsMirror(_Mirror):
    """The all-time totals as one process last read them, brought up to date by reading
    only the rows whose change number (`seq`) is above the highest it holds: exact
    across processes because transactions commit in the order of their numbers
    (`_tick`). Flows are rebuilt only for the (host, place) pairs whose rows moved, and
    the unchanged `Flow` objects stay the same objects from one read to the next (the
    figures computed from them compare them cheaply)."""

    def _clear(self, places_key: str | None) -> None:
        self.places_key = places_key
        self.epoch: int | None = -1
        self.seq = -1
        self.rows: dict[tuple[int, int, str], tuple[int, int, int, int]] = {}
        self.kinds: dict[tuple[int, int], set[str]] = defaultdict(set)
        self.pairs: dict[tuple[int, int], Flow] = {}
        self.flows: list[Flow] = []
        self._position: dict[tuple[int, int], int] = {}
        # Each read that moved something is a new version; the log keeps, per version,
        # the flows it replaced and their replacements, for `changes`.
        self.version = getattr(self, "version", 0) + 1
        self.reset_at = self.version
        self.log: deque[tuple[int, list[tuple[Flow | None, Flow | None]]]] = deque(maxlen=LOG_VERSIONS)

    def _changes(self) -> list[sa.Row[Any]]:
        t = TOTALS
        return db.session.execute(
            sa.select(t.c.host_id, t.c.place_id, t.c.kind, t.c.bookings, t.c.beneficiaries,
                      t.c.verified, t.c.seconds, t.c.seq)
            .where(t.c.seq > self.seq)
        ).all()

    def read(self, places_key: str) -> list[Flow]:
        return self.read_versioned(places_key)[0]

    def changes(self, since: int, until: int) -> list[tuple[Flow | None, Flow | None]] | None:
        """The (old, new) flows that versions (since, until] replaced, in order; None
        when the log no longer reaches back to `since` (start from the flows instead)."""
        with self._lock:
            if since < self.reset_at or until > self.version:
                return None
            entries = [(v, moved) for v, moved in self.log if since < v <= until]
            if len(entries) != until - since:
                return None
            return [change for _, moved in entries for change in moved]

    def read_versioned(self, places_key: str) -> tuple[list[Flow], int]:
        """The flows, and the version they are."""
        with self._lock:
            changes = self._consistent(places_key, self._changes)
            if changes:
                self._merge(changes)
            return self.flows, self.version

    def _merge(self, changes: list[sa.Row[Any]]) -> None:
        moved = set()
        replaced: list[tuple[Flow | None, Flow | None]] = []
        for host, place, kind, n, ben, verified, seconds, seq in changes:
            self.rows[(host, place, kind)] = (n, ben, verified, seconds)
            self.kinds[(host, place)].add(kind)
            moved.add((host, place))
            if seq > self.seq:
                self.seq = seq
        for pair in moved:
            n = ben = verified = seconds = incubation = 0
            for kind in self.kinds[pair]:
                k_n, k_ben, k_verified, k_seconds = self.rows[(pair[0], pair[1], kind)]
                n += k_n
                ben += k_ben
                verified += k_verified
                if kind == INCUBATION:
                    incubation += k_seconds
                else:
                    seconds += k_seconds
            old = self.pairs.get(pair)
            if n > 0:
                new: Flow | None = Flow(pair[0], pair[1], n, ben, seconds / 3600.0, verified,
                                        incubation / 3600.0)
                self.pairs[pair] = new  # type: ignore[assignment]
            else:
                new = None
                self.pairs.pop(pair, None)
            if old != new:
                replaced.append((old, new))
        if replaced:
            self.version += 1
            self.log.append((self.version, replaced))
            if all(old is not None and new is not None for old, new in replaced):
                # Same pairs: a copy with the new flows in place (snapshots keep the old list).
                flows = list(self.flows)
                for _, new in replaced:
                    flows[self._position[(new.host, new.place)]] = new  # type: ignore[union-attr]
                self.flows = flows
            else:
                keys = sorted(self.pairs)
                self._position = {key: i for i, key in enumerate(keys)}
                self.flows = [self.pairs[key] for key in keys]


class MonthsMirror(_Mirror):
    """The all-time monthly series per (month, territory of the place), kept current like
    `TotalsMirror`: the months holding a row above the highest change number it holds
    are summed again from `analytics_months` (a month is a few thousand rows), the
    others kept. Only the sums are kept, not the rows (at 10,000,000 bookings over
    thirty years the rows alone would take 300 MB a process)."""

    def _clear(self, places_key: str | None) -> None:
        self.places_key = places_key
        self.epoch: int | None = -1
        self.seq = -1
        self.sums: dict[str, dict[str, list[int]]] = {}

    def read(self, territory_of: Mapping[int, str], places_key: str) -> list[tuple[str, str, int, int]]:
        """(Paris month, territory, bookings, beneficiaries) with bookings, as `read_monthly`
        reads them for all time; `territory_of`: place id -> its territory."""
        t = MONTHS
        with self._lock:
            moved = self._consistent(places_key, lambda: db.session.execute(
                sa.select(t.c.month, sa.func.max(t.c.seq)).where(t.c.seq > self.seq).group_by(t.c.month)
            ).all())
            if moved:
                months = [month for month, _ in moved]
                sums = {month: {} for month in months}  # type: dict[str, dict[str, list[int]]]
                query = (sa.select(t.c.month, t.c.place_id, t.c.bookings, t.c.beneficiaries)
                         .execution_options(yield_per=20_000))
                if self.seq >= 0:
                    query = query.where(t.c.month.in_(months))
                # Read after the months' numbers: these sums hold at least those changes
                # (a later one shows above `seq` and its month is summed again next time).
                for month, place, n, ben in db.session.execute(query):
                    territory = territory_of.get(place)
                    if territory is not None and month in sums:
                        cell = sums[month].setdefault(territory, [0, 0])
                        cell[0] += n
                        cell[1] += ben
                self.sums.update(sums)
                self.seq = max(self.seq, max(seq for _, seq in moved))
            return [(month, territory, n, ben)
                    for month in sorted(self.sums)
                    for territory, (n, ben) in sorted(self.sums[month].items()) if n > 0]
