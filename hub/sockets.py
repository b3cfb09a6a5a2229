"""Socket.IO handlers: authenticated connections and their rooms.

Pages connect with the session cookie; API clients with `auth={"token": "<API token>"}`.
Anything else is refused, so every later event comes from a known user.
"""
from __future__ import annotations

import logging
from typing import Any

from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room

from hub.services.accounts import user_for_token
from hub.db import read_only
from hub.extensions import socketio
from hub.services import realtime
from models import User

logger = logging.getLogger(__name__)

# Ids are database integers: anything larger cannot name a resource.
MAX_ID = 2**31 - 1


def _connecting_user(auth: Any) -> User | None:
    """The token's user when a token is given (a wrong token is refused even with a
    session cookie beside it), else the session's user."""
    if isinstance(auth, dict) and "token" in auth:
        token = auth["token"]
        return user_for_token(token) if isinstance(token, str) else None
    if current_user.is_authenticated:
        return current_user._get_current_object()
    return None


@socketio.on("connect")
def on_connect(auth: Any = None) -> None:
    # Socket handlers only read: on SQLite they must not take the write lock.
    with read_only():
        user = _connecting_user(auth)
        if user is None:
            raise ConnectionRefusedError("Authentification requise.")
        rooms = realtime.user_rooms(user)
    for room in rooms:
        join_room(room)


@socketio.on("watch")
def on_watch(data: Any = None) -> dict[str, Any]:
    """`watch` {"resource": id}: hear `availability.changed` for that resource.

    Availability is public on the resource page, so any connected user may watch.
    The acknowledgement says whether it worked; a bad payload changes nothing.
    """
    resource_id = data.get("resource") if isinstance(data, dict) else None
    if (isinstance(resource_id, str) and len(resource_id) <= 10
            and resource_id.isascii() and resource_id.isdigit()):
        resource_id = int(resource_id)
    if (
        not isinstance(resource_id, int)
        or isinstance(resource_id, bool)
        or not 0 < resource_id <= MAX_ID
    ):
        resource_id = None
    with read_only():
        known = resource_id is not None and realtime.resource_exists(resource_id)
    if not known:
        return {"error": {"code": "not_found", "message": "Cette ressource n'existe pas."}}
    join_room(f"resource:{resource_id}")
    return {"resource": resource_id}
