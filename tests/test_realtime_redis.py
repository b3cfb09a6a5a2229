"""Live events across processes: two real servers on one database and a real Redis.

Needs TEST_REDIS_URL (scripts/testservices.py starts a throwaway Redis and sets it).
"""
from __future__ import annotations

import os
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

import pytest
import requests
import socketio

from hub.extensions import db
from hub.services import realtime
from tests.conftest import require_service
from tests.factories import api_token
from tests.servers import server_process

WAIT = 10.0


@pytest.fixture
def redis_url() -> str:
    return require_service("Redis (TEST_REDIS_URL)", os.environ.get("TEST_REDIS_URL"))


def end_transaction() -> None:
    """On SQLite the test's own transaction holds the write lock (BEGIN IMMEDIATE):
    end it before the servers need the database."""
    db.session.commit()


class Listener:
    """A python-socketio client that keeps what it receives, and can wait for it."""

    def __init__(self, url: str, token: str) -> None:
        self.events: list[tuple[str, Any]] = []
        self._arrived = threading.Condition()
        self.client = socketio.Client(reconnection=False)
        self.client.on("*", self._record)
        self.client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)

    def _record(self, event: str, data: Any = None) -> None:
        with self._arrived:
            self.events.append((event, data))
            self._arrived.notify_all()

    def wait_for(self, event: str, **match: Any) -> Any:
        def found() -> Any:
            for name, data in self.events:
                if name == event and all(data.get(k) == v for k, v in match.items()):
                    return data
            return None

        with self._arrived:
            self._arrived.wait_for(found, timeout=WAIT)
            data = found()
        assert data is not None, f"no {event} {match} within {WAIT} s; got {self.events}"
        return data

    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    def close(self) -> None:
        self.client.disconnect()


@pytest.fixture
def world(make):  # type: ignore[no-untyped-def]
    w = type("World", (), {})()
    w.host_manager = make.user(email="gestion@fabrique.example")
    w.host_member = make.user(email="membre@fabrique.example")
    w.booker = make.user(email="membre@tiers-lieu.example")
    w.hub = make.fabrique(managers=[w.host_manager], members=[w.host_member])
    w.place = make.place(members=[w.booker])
    w.resource = make.resource(w.hub, name="Fraiseuse numérique")
    return w


@pytest.fixture
def two_servers(database_url: str, redis_url: str) -> Iterator[tuple[str, str]]:
    with server_process(database_url, redis_url=redis_url) as a, \
            server_process(database_url, redis_url=redis_url) as b:
        yield a, b


@pytest.fixture
def listeners() -> Iterator[list[Listener]]:
    opened: list[Listener] = []
    yield opened
    for listener in opened:
        listener.close()


def slot() -> dict[str, str]:
    start = (datetime.now(timezone.utc) + timedelta(days=4)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    return {"start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat()}


def test_a_booking_made_on_one_process_reaches_a_reader_connected_to_another(
    app, world, two_servers, listeners
):
    a, b = two_servers
    tokens = {name: api_token(getattr(world, name))
              for name in ("host_manager", "host_member", "booker")}
    resource_id, place_slug = world.resource.id, world.place.slug
    end_transaction()
    manager = Listener(b, tokens["host_manager"])
    # A plain member of the host place may not read another place's booking; as a
    # watcher of the resource it also tells us when the events have gone by.
    member = Listener(b, tokens["host_member"])
    listeners += [manager, member]
    assert member.client.call("watch", {"resource": resource_id}) == {"resource": resource_id}
    booker = {"Authorization": f"Bearer {tokens['booker']}"}

    response = requests.post(f"{a}/api/v1/resources/{resource_id}/bookings",
                             json={"place": place_slug, **slot()}, headers=booker)

    assert response.status_code == 201, response.text
    booking = response.json()
    assert manager.wait_for("booking.created", id=booking["id"]) == booking
    member.wait_for("availability.changed", resource=resource_id)

    # Cancelling on A too: once the member hears of this later change, anything about
    # the booking (one Redis channel, delivered in order) would already have arrived.
    requests.post(f"{a}/api/v1/bookings/{booking['id']}/cancel", json={}, headers=booker)
    manager.wait_for("booking.updated", id=booking["id"], status="cancelled")
    deadline = time.monotonic() + WAIT
    while member.names().count("availability.changed") < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert member.names().count("availability.changed") == 2
    assert "booking.created" not in member.names()
    assert "booking.updated" not in member.names()


def test_a_booking_confirmed_from_the_command_line_reaches_sockets_through_redis(
    app, runner, make, world, redis_url, database_url, listeners
):
    booking = make.booking(world.resource, world.place, status="pending")
    token = api_token(world.host_manager)
    manager_email = world.host_manager.email
    end_transaction()
    with server_process(database_url, redis_url=redis_url) as server:
        manager = Listener(server, token)
        listeners.append(manager)
        app.config["REDIS_URL"] = redis_url
        try:
            result = runner.invoke(args=["booking", "confirm", str(booking.id), "--as", manager_email])
        finally:
            from hub.extensions import socketio as server_socketio

            realtime.bind(server_socketio)
        assert result.exit_code == 0, result.output
        assert "confirmée" in result.output

        update = manager.wait_for("booking.updated", id=booking.id)
        assert update["status"] == "confirmed"
