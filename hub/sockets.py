"""Socket.IO handlers: authenticated connections and their rooms."""
from __future__ import annotations

from flask_login import current_user

from hub.extensions import socketio


@socketio.on("connect")
def on_connect(auth=None):  # type: ignore[no-untyped-def]
    if not current_user.is_authenticated:
        return False
    return True
