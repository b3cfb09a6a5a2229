"""Live events over Socket.IO: who receives what, sent after the commit.

Rooms, joined when a socket connects (hub/sockets.py):
  `user:<id>`             every socket of that user;
  `place:<id>`            members and managers of the place: they read its bookings;
  `managers:<place id>`   managers only: they read the bookings on the place's resources;
  `network`               admin and ANCT, who read everything;
  `resource:<id>`         sockets that asked to `watch` the resource's availability.
A booking event goes to `managers:<host place>`, `place:<booking place>` and `network`:
exactly the readers of `GET /bookings`. A plain member of the host place is in
`place:<host>` but not in `managers:<host>`, so hears nothing of other places' bookings.

Rooms are computed at connect time: a membership granted or withdrawn later takes effect
when the socket reconnects (a page does on its next load).
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask_socketio import SocketIO

from hub.extensions import db
from hub.rules import permissions
from hub.services import events
from hub.services.places import actor_of
from hub.timeutil import to_iso
from models import Booking, Resource, User

logger = logging.getLogger(__name__)

NETWORK_ROOM = "network"


def bind(server: SocketIO) -> None:
    """Send committed events through this Socket.IO server (or queue client)."""

    def emit(event: str, payload: dict[str, Any], rooms: list[str]) -> None:
        if rooms:
            server.emit(event, payload, to=rooms)

    events.set_emitter(emit)


def bind_cli(app: Flask) -> bool:
    """For CLI commands that change bookings: emit through a write-only client of the
    Redis message queue, so sockets connected to any server process hear of it.

    Without REDIS_URL a CLI process cannot reach anybody's socket: events are dropped
    (pages catch up on their next load or reconnection). Returns whether it is bound.
    """
    url = app.config.get("REDIS_URL")
    if not url:
        events.set_emitter(None)
        return False
    bind(SocketIO(message_queue=url, write_only=True))
    return True


def user_rooms(user: User) -> list[str]:
    """The rooms a socket of this user joins on connect."""
    actor = actor_of(user)
    rooms = [f"user:{user.id}"]
    for place_id in actor.places:
        # Who reads which bookings (hub.rules.permissions): the booking place's members...
        if permissions.may_book_for(actor, place_id):
            rooms.append(f"place:{place_id}")
        # ... the host's managers, and the network's readers.
        if permissions.may_decide(actor, place_id):
            rooms.append(f"managers:{place_id}")
    if permissions.sees_network(actor):
        rooms.append(NETWORK_ROOM)
    return rooms


def booking_rooms(host_place_id: int, booking_place_id: int) -> list[str]:
    """Exactly those who may read a booking through the API: the managers of the place
    whose resource it is, the place it was made for, the network."""
    return [f"managers:{host_place_id}", f"place:{booking_place_id}", NETWORK_ROOM]


def booking_event(booking: Booking | sa.Row[Any], event: str, payload: dict[str, Any], *,
                  host_place_id: int | None = None) -> None:
    """Queue `booking.updated` (or `booking.created`), sent after the commit. `payload`
    is `booking_dict(booking)` of the written booking (hub.services.bookings owns the
    representation and calls this module, not the reverse). `host_place_id`, the place
    whose resource is booked, defaults to `booking.resource.place_id` (a row of the
    bookings table has no relationships)."""
    if host_place_id is None:
        host_place_id = booking.resource.place_id
    events.queue(db.session, event, payload, booking_rooms(host_place_id, booking.place_id))


def availability_changed(resource: Resource | sa.Row[Any], start: datetime, end: datetime) -> None:
    """Queue `availability.changed` for the sockets watching the resource."""
    events.queue(
        db.session,
        "availability.changed",
        {"resource": resource.id, "start": to_iso(start), "end": to_iso(end)},
        [f"resource:{resource.id}"],
    )


def resource_exists(resource_id: int) -> bool:
    return db.session.get(Resource, resource_id) is not None
