"""The maintained aggregates (hub.services.analytics) equal a rebuild from the bookings,
after any sequence of booking transitions and under racing requests; a period is answered
exactly, whole months from the aggregates and its edges from the bookings."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.errors import DomainError
from hub.extensions import db
from hub.services import analytics, bookings
from hub.timeutil import PARIS
from models import Booking, FlowMonth, FlowTotal, MonthPlace, Qualification, TrainingSession, User

NOW = datetime.now(timezone.utc)


def paris_10h(days: int) -> datetime:
    day = (NOW + timedelta(days=days)).astimezone(PARIS).date()
    return datetime(day.year, day.month, day.day, 10, tzinfo=PARIS)


@pytest.fixture
def world(make):  # type: ignore[no-untyped-def]
    manager = make.user()
    hub = make.fabrique(slug="h", managers=[manager])
    others = [make.place(slug=f"p{i}", members=[manager]) for i in range(2)]
    places = [hub] + others  # the hub's own bookings are internal: they never count
    machine = make.resource(hub, kind="machine", capacity=3)
    space = make.resource(hub, kind="space", capacity=2, requires_approval=True)
    training = make.resource(hub, kind="training", capacity=2)
    sessions = [make.session(training, start=paris_10h(d), seats=2) for d in (5, 40)]
    return {"manager": manager, "places": places, "machine": machine, "space": space,
            "training": training, "sessions": sessions}


def _reset(world: dict[str, Any]) -> None:
    db.session.rollback()
    for model in (Qualification, Booking, FlowMonth, FlowTotal, MonthPlace):
        db.session.execute(sa.delete(model))
    db.session.execute(sa.update(TrainingSession).values(seats_taken=0))
    db.session.commit()
    db.session.expire_all()


CREATE = st.tuples(st.just("create"), st.sampled_from(["machine", "space", "training"]),
                   st.integers(0, 2), st.integers(1, 75), st.integers(1, 2),
                   st.one_of(st.none(), st.integers(0, 100)))
PAST = st.tuples(st.just("past"), st.sampled_from(["machine", "space"]), st.integers(0, 2),
                 st.integers(1, 60), st.one_of(st.none(), st.integers(0, 100)))
# "delete": no service deletes a booking, but a script may: the aggregates follow too.
CHANGE = st.tuples(st.sampled_from(["confirm", "refuse", "cancel", "delete"]), st.integers(0, 50))
ATTEND = st.tuples(st.just("attend"), st.integers(0, 50), st.booleans(),
                   st.one_of(st.none(), st.integers(0, 100)))
OPERATIONS = st.lists(st.one_of(CREATE, PAST, CHANGE, ATTEND), min_size=1, max_size=25)


def _run(world: dict[str, Any], op: tuple) -> None:
    manager = db.session.get(User, world["manager"].id)
    ids = list(db.session.scalars(sa.select(Booking.id).order_by(Booking.id)))
    kind = op[0]
    if kind == "create":
        _, name, place, days, quantity, beneficiaries = op
        resource = world[name]
        body: dict[str, Any] = {"place": world["places"][place].slug, "quantity": quantity}
        if beneficiaries is not None:
            body["beneficiaries"] = beneficiaries
        if name == "training":
            body["session"] = world["sessions"][days % 2].id
        else:
            start = paris_10h(days)
            body["start"], body["end"] = start.isoformat(), (start + timedelta(hours=2)).isoformat()
        bookings.create_booking(resource.id, manager.id, body)
    elif kind == "past":
        _, name, place, days, beneficiaries = op
        start = paris_10h(-days)
        db.session.add(Booking(resource_id=world[name].id, place_id=world["places"][place].id,
                               user_id=manager.id, start_at=start, end_at=start + timedelta(hours=2),
                               quantity=1, beneficiaries=beneficiaries, status="confirmed"))
        db.session.flush()
    elif ids:
        booking = db.session.get(Booking, ids[op[1] % len(ids)])
        if kind == "confirm":
            bookings.confirm_booking(booking, manager)
        elif kind == "refuse":
            bookings.refuse_booking(booking, manager, "complet")
        elif kind == "cancel":
            bookings.cancel_booking(booking, manager)
        elif kind == "delete":
            db.session.delete(booking)
            db.session.flush()
        else:
            bookings.record_attendance(booking, manager, op[2], op[3])


@settings(max_examples=15, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(operations=OPERATIONS)
def test_maintained_aggregates_equal_a_rebuild_after_any_transitions(world, operations):
    _reset(world)
    for op in operations:
        try:
            _run(world, op)
            db.session.commit()
        except DomainError:
            db.session.rollback()
        db.session.expire_all()
    assert analytics.stored_aggregates() == analytics.computed_aggregates()


@settings(max_examples=10, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(operations=st.lists(st.one_of(CREATE, PAST, ATTEND), min_size=1, max_size=15),
       first=st.integers(-70, 80), length=st.integers(1, 90))
def test_any_period_reads_exactly_what_the_bookings_say(world, operations, first, length):
    _reset(world)
    for op in operations:
        try:
            _run(world, op)
            db.session.commit()
        except DomainError:
            db.session.rollback()
    start = NOW + timedelta(days=first, hours=first % 7)
    end = start + timedelta(days=length, minutes=37 * length)
    dialect = db.engine.dialect.name
    for bounds in ((start, end), (None, None), (start, None), (None, end)):
        direct = {
            (int(h), int(p)): (int(n), int(b or 0), int(v or 0), pytest.approx(float(hr or 0)),
                               pytest.approx(float(inc or 0)))
            for h, p, n, b, v, hr, inc in db.session.execute(analytics.bookings_flows_query(*bounds, dialect))
        }
        read = {(f.host, f.place): (f.bookings, f.beneficiaries, f.verified, f.hours, f.incubation_hours)
                for f in analytics.read_flows(*bounds)}
        assert read == direct, bounds


def test_rebuild_command_recomputes_the_aggregates(world, runner):
    start = paris_10h(-3)
    db.session.add(Booking(resource_id=world["machine"].id, place_id=world["places"][1].id,
                           user_id=world["manager"].id, start_at=start, end_at=start + timedelta(hours=2),
                           quantity=2, status="confirmed"))
    db.session.commit()
    for model in (FlowMonth, FlowTotal, MonthPlace):  # as after a bulk load
        db.session.execute(sa.delete(model))
    db.session.commit()
    result = runner.invoke(args=["analytics", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "3 lignes" in result.output
    db.session.expire_all()
    host, place, month = world["machine"].place_id, world["places"][1].id, start.strftime("%Y-%m")
    assert analytics.stored_aggregates() == {
        "analytics_flows": {(host, place, month, "machine"): (1, 2, 0, 7200)},
        "analytics_totals": {(host, place, "machine"): (1, 2, 0, 7200)},
        "analytics_months": {(month, place): (1, 2, 0, 7200)},
    }


def test_rebuild_counts_as_the_transitions_do_at_a_month_edge_and_with_attendance(world):
    # 21:30 UTC on 31 March is 23:30 in Paris (summer time): March; an hour later, April.
    # Half a second past the hour: whole seconds, as the transitions count them.
    edge = datetime(2025, 3, 31, 21, 30, tzinfo=timezone.utc)
    for start, attended in ((edge, None), (edge + timedelta(hours=1), True), (paris_10h(-5), False)):
        db.session.add(Booking(resource_id=world["machine"].id, place_id=world["places"][1].id,
                               user_id=world["manager"].id, start_at=start,
                               end_at=start + timedelta(hours=1, seconds=0.5), quantity=2,
                               beneficiaries=3, status="confirmed", attended=attended))
    db.session.commit()
    analytics.rebuild()
    db.session.commit()
    db.session.expire_all()
    stored = analytics.stored_aggregates()
    assert stored == analytics.computed_aggregates()
    assert {key[2] for key in stored["analytics_flows"]} >= {"2025-03", "2025-04"}


def test_racing_bookings_and_cancellations_leave_the_aggregates_exact(app, make):
    """Threads book different resources of one host for one place in one month (one
    aggregate row: no resource lock serializes them), while others cancel."""
    manager = make.user()
    hub = make.fabrique(slug="h", managers=[manager])
    place = make.place(slug="p", members=[manager])
    machines = [make.resource(hub, kind="machine", capacity=1) for _ in range(16)]
    start = paris_10h(10)
    end = start + timedelta(hours=2)
    existing = [make.booking(m, place, start=start, end_at=end) for m in machines[8:]]
    ids = (manager.id, [m.id for m in machines[:8]], [b.id for b in existing])
    db.session.commit()
    db.session.close()
    barrier = threading.Barrier(16)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                user = db.session.get(User, ids[0])
                if i < 8:
                    bookings.create_booking(ids[1][i], user.id, {
                        "place": "p", "start": start.isoformat(), "end": end.isoformat(), "beneficiaries": 3})
                else:
                    bookings.cancel_booking(db.session.get(Booking, ids[2][i - 8]), user)
                db.session.commit()
        except BaseException as exc:  # reported below, on the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    db.session.expire_all()
    stored = analytics.stored_aggregates()
    assert stored == analytics.computed_aggregates()
    assert list(stored["analytics_flows"].values()) == [(8, 24, 0, 8 * 7200)]


def test_every_commit_that_changes_a_counted_booking_moves_the_clock(world, make):
    # The network's cache keys on the clock (hub.services.network._fingerprint): a booking
    # moved within its month leaves the all-time rows as they were, and must move it too.
    place = world["places"][1]
    booking = make.booking(world["machine"], place, start_at=paris_10h(3), end_at=paris_10h(3) + timedelta(hours=2))
    counted = analytics.clock_reading()
    assert counted is not None
    booking.start_at += timedelta(minutes=30)
    booking.end_at += timedelta(minutes=30)
    db.session.commit()
    moved = analytics.clock_reading()
    assert moved is not None and moved[0] > counted[0]
    # A booking that counts nowhere (pending) leaves the clock alone.
    make.booking(world["space"], place, status="pending", start_at=paris_10h(4), end_at=paris_10h(4) + timedelta(hours=1))
    assert analytics.clock_reading() == moved
