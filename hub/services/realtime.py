"""Live events over Socket.IO: who receives what, sent after the commit.

Rooms: `user:<id>`, `place:<id>` (its members and managers), `managers:<place id>`
(managers only), `network` (admin and ANCT), `resource:<id>` (watchers).
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask_socketio import SocketIO

from hub.extensions import db
from hub.services import events
from hub.timeutil import to_iso
from models import Booking, Resource

logger = logging.getLogger(__name__)


def bind(server: SocketIO) -> None:
    """Send committed events through this Socket.IO server (or queue client)."""

    def emit(event: str, payload: dict[str, Any], rooms: list[str]) -> None:
        if rooms:
            server.emit(event, payload, to=rooms)

    events.set_emitter(emit)


def booking_rooms(booking: Booking) -> list[str]:
    """Exactly those who may read the booking through the API."""
    return [f"managers:{booking.resource.place_id}", f"place:{booking.place_id}", "network"]


def booking_event(booking: Booking, event: str) -> None:
    """Queue `booking.created` / `booking.updated`; sent after the commit."""
    from hub.services.bookings import booking_dict

    db.session.flush()
    events.queue(db.session, event, booking_dict(booking), booking_rooms(booking))


def availability_changed(resource: Resource, start: datetime, end: datetime) -> None:
    events.queue(
        db.session,
        "availability.changed",
        {"resource": resource.id, "start": to_iso(start), "end": to_iso(end)},
        [f"resource:{resource.id}"],
    )
