"""Live events over Socket.IO: who receives what, sent after the commit."""
from __future__ import annotations

import logging
from typing import Any

from flask_socketio import SocketIO

from hub.services import events

logger = logging.getLogger(__name__)


def bind(server: SocketIO) -> None:
    """Send committed events through this Socket.IO server (or queue client)."""

    def emit(event: str, payload: dict[str, Any], rooms: list[str]) -> None:
        if rooms:
            server.emit(event, payload, to=rooms)

    events.set_emitter(emit)
