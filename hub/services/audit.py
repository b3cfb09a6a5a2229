"""Writing to the audit log."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from hub.extensions import db
from models import AuditEntry, User, utcnow

# One INSERT at once, on the session's connection (its transaction): no unit-of-work
# pass for a row nobody reads back in the request, and booking creation runs hundreds
# of times a second.
_INSERT = sa.insert(AuditEntry.__table__)


def record(actor: User | int | None, action: str, obj: Any, **data: Any) -> None:
    """Log a state change of `obj` by `actor`, a user or a user's id (the booking path
    knows only its caller's id). `obj` is a model instance (flushed first if it has no id
    yet), or an (object type, id) pair for a row written with Core, or None."""
    if isinstance(obj, tuple):
        object_type, object_id = obj
    elif obj is None:
        object_type, object_id = "system", None
    else:
        if getattr(obj, "id", None) is None:
            db.session.flush()
        object_type, object_id = type(obj).__name__.lower(), obj.id
    db.session.connection().execute(_INSERT, {
        "at": utcnow(),
        "actor_id": actor.id if isinstance(actor, User) else actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "data": data,
    })
