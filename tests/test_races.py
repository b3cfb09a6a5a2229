"""Never oversold: many threads against two real server processes on the test database.

Each test seeds and commits its data, then ~20 threads wait on a Barrier and all POST at
once, half to each server. The database is then read back: at no instant do the active
quantities pass the capacity, and a session's counted seats match its bookings.
"""
from __future__ import annotations

import random
import threading
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

import pytest
import requests
import sqlalchemy as sa

from hub.extensions import db
from hub.rules.capacity import peak_use
from models import ACTIVE_STATUSES, Booking, TrainingSession
from tests.servers import server_process

THREADS = 20


@pytest.fixture(scope="module")
def servers(_schema: str) -> Iterator[list[str]]:
    with ExitStack() as stack:
        yield [stack.enter_context(server_process(_schema)) for _ in range(2)]


def release_database() -> None:
    """End the test's own transaction: on SQLite it holds the write lock (the test
    process begins its transactions with BEGIN IMMEDIATE) and would stall the servers."""
    db.session.commit()
    db.session.close()


def race(servers: list[str], path: str, bodies: list[dict[str, Any]], headers: dict[str, str]) -> list[requests.Response]:
    release_database()
    barrier = threading.Barrier(len(bodies))
    results: list[requests.Response | BaseException | None] = [None] * len(bodies)

    def run(i: int) -> None:
        base = servers[i % len(servers)]
        try:
            barrier.wait(timeout=30)
            results[i] = requests.post(base + path, json=bodies[i], headers=headers, timeout=60)
        except BaseException as exc:  # reported below, on the main thread
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    errors = [r for r in results if not isinstance(r, requests.Response)]
    assert not errors, errors
    return results  # type: ignore[return-value]


def statuses(responses: list[requests.Response]) -> list[tuple[int, str]]:
    out = []
    for r in responses:
        body = r.json()
        out.append((r.status_code, body["status"] if r.status_code == 201 else body["error"]["code"]))
    return out


def active_rows(resource_id: int) -> list[tuple[datetime, datetime, int]]:
    db.session.expire_all()
    return [tuple(row) for row in db.session.execute(
        sa.select(Booking.start_at, Booking.end_at, Booking.quantity).where(
            Booking.resource_id == resource_id, Booking.status.in_(ACTIVE_STATUSES)
        )
    )]


@pytest.fixture
def world(make):  # type: ignore[no-untyped-def]
    member = make.user()
    hub = make.fabrique()
    tiers_lieu = make.place(members=[member])
    return hub, tiers_lieu, make.api_headers(member)


def slot(days: int = 3, hours: int = 2) -> dict[str, str]:
    start = (datetime.now(timezone.utc) + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    return {"start": start.isoformat(), "end": (start + timedelta(hours=hours)).isoformat()}


def test_twenty_requests_for_five_units_sell_exactly_five(servers, world, make):
    hub, tiers_lieu, headers = world
    room = make.resource(hub, kind="space", capacity=5)
    body = {"place": tiers_lieu.slug, **slot()}
    room_id = room.id
    responses = race(servers, f"/api/v1/resources/{room_id}/bookings", [body] * THREADS, headers)
    outcome = statuses(responses)
    assert outcome.count((201, "confirmed")) == 5
    assert outcome.count((409, "unavailable")) == THREADS - 5
    assert peak_use(active_rows(room_id)) == 5


def test_twenty_requests_for_a_single_machine_sell_exactly_one(servers, world, make):
    hub, tiers_lieu, headers = world
    machine = make.resource(hub, kind="machine", capacity=1)
    body = {"place": tiers_lieu.slug, **slot()}
    machine_id = machine.id
    responses = race(servers, f"/api/v1/resources/{machine_id}/bookings", [body] * THREADS, headers)
    outcome = statuses(responses)
    assert outcome.count((201, "confirmed")) == 1
    assert outcome.count((409, "unavailable")) == THREADS - 1
    assert len(active_rows(machine_id)) == 1


def test_overlapping_requests_of_various_sizes_never_pass_the_capacity(servers, world, make):
    hub, tiers_lieu, headers = world
    room = make.resource(hub, kind="space", capacity=5)
    base = (datetime.now(timezone.utc) + timedelta(days=4)).replace(minute=0, second=0, microsecond=0)
    rng = random.Random(20240611)
    bodies = []
    for _ in range(THREADS):
        start = base + timedelta(minutes=30 * rng.randrange(8))
        bodies.append({"place": tiers_lieu.slug, "quantity": rng.randint(1, 3), "start": start.isoformat(),
                       "end": (start + timedelta(minutes=30 * rng.randint(1, 6))).isoformat()})
    room_id = room.id
    outcome = statuses(race(servers, f"/api/v1/resources/{room_id}/bookings", bodies, headers))
    assert {code for code in outcome} <= {(201, "confirmed"), (409, "unavailable")}
    assert outcome.count((201, "confirmed")) >= 2
    rows = active_rows(room_id)
    assert len(rows) == outcome.count((201, "confirmed"))
    assert peak_use(rows) <= 5


def test_twenty_requests_for_the_last_three_seats_confirm_three_and_waitlist_the_rest(servers, world, make):
    hub, tiers_lieu, headers = world
    training = make.resource(hub, kind="training", capacity=5)
    session = make.session(training, seats=5, seats_taken=2)
    for _ in range(2):
        make.booking(training, tiers_lieu, session=session, start_at=session.start_at, end_at=session.end_at)
    session_id = session.id
    body = {"place": tiers_lieu.slug, "session": session_id}
    outcome = statuses(race(servers, f"/api/v1/resources/{training.id}/bookings", [body] * THREADS, headers))
    assert outcome.count((201, "confirmed")) == 3
    assert outcome.count((201, "waitlisted")) == THREADS - 3
    db.session.expire_all()
    confirmed = db.session.scalar(
        sa.select(sa.func.sum(Booking.quantity)).where(Booking.session_id == session_id,
                                                      Booking.status.in_(ACTIVE_STATUSES)))
    assert confirmed == 5 == db.session.get(TrainingSession, session_id).seats_taken


def test_cancellations_racing_each_other_promote_each_waitlisted_booking_once(servers, world, make):
    hub, tiers_lieu, headers = world
    training = make.resource(hub, kind="training", capacity=4)
    session = make.session(training, seats=4, seats_taken=4)
    held = [make.booking(training, tiers_lieu, session=session, start_at=session.start_at, end_at=session.end_at)
            for _ in range(4)]
    waiting = [make.booking(training, tiers_lieu, session=session, start_at=session.start_at,
                            end_at=session.end_at, status="waitlisted") for _ in range(6)]
    held_ids = [b.id for b in held]
    waiting_ids = [b.id for b in waiting]
    session_id = session.id
    release_database()
    barrier = threading.Barrier(len(held))
    codes: list[int] = []

    def cancel(i: int) -> None:
        barrier.wait(timeout=30)
        r = requests.post(f"{servers[i % 2]}/api/v1/bookings/{held_ids[i]}/cancel", headers=headers, timeout=60)
        codes.append(r.status_code)

    threads = [threading.Thread(target=cancel, args=(i,)) for i in range(len(held))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [200] * 4
    db.session.expire_all()
    promoted = db.session.scalars(
        sa.select(Booking.id).where(Booking.session_id == session_id, Booking.status == "confirmed")
        .order_by(Booking.id)).all()
    assert promoted == waiting_ids[:4]  # the four oldest, each once
    assert db.session.get(TrainingSession, session_id).seats_taken == 4


def test_a_reader_never_misses_a_booking_confirmed_before_it_asked(servers, world, make):
    """Network figures are always current: while bookings commit on both servers, every
    summary read on either server counts at least the bookings whose confirmation came back
    before the read was asked, and once the writers are done both count them all."""
    hub, tiers_lieu, headers = world
    anct = make.api_headers(make.user(role="anct"))
    rooms = [make.resource(hub, capacity=1).id for _ in range(THREADS)]
    slug = tiers_lieu.slug
    release_database()

    def counted(base: str) -> int:
        response = requests.get(f"{base}/api/v1/network/summary", headers=anct, timeout=60)
        assert response.status_code == 200, response.text
        return response.json()["totals"]["bookings"]

    before = [counted(base) for base in servers]
    confirmed = [0]
    lock = threading.Lock()
    writing = threading.Event()
    writing.set()
    barrier = threading.Barrier(THREADS + 2)
    misses: list[tuple[int, int, int]] = []
    reads = [0, 0]
    failures: list[BaseException] = []

    def book(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            r = requests.post(f"{servers[i % 2]}/api/v1/resources/{rooms[i]}/bookings", headers=headers,
                              json={"place": slug, **slot(days=3 + i)}, timeout=60)
            assert r.status_code == 201 and r.json()["status"] == "confirmed", r.text
            with lock:
                confirmed[0] += 1
        except BaseException as exc:
            failures.append(exc)

    def read(k: int) -> None:
        try:
            barrier.wait(timeout=30)
            while writing.is_set():
                with lock:
                    known = confirmed[0]  # confirmed before this read is asked
                seen = counted(servers[k]) - before[k]
                reads[k] += 1
                if seen < known:
                    misses.append((k, known, seen))
        except BaseException as exc:
            failures.append(exc)

    writers = [threading.Thread(target=book, args=(i,)) for i in range(THREADS)]
    readers = [threading.Thread(target=read, args=(k,)) for k in range(2)]
    for t in writers + readers:
        t.start()
    for t in writers:
        t.join()
    writing.clear()
    for t in readers:
        t.join()
    assert not failures, failures
    assert all(reads), reads
    assert not misses, misses
    assert [counted(base) - b for base, b in zip(servers, before)] == [THREADS, THREADS]
