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
    """Log a state change of `obj` (a model instance, flushed first if it has no id yet)
    by `actor`, a user or a user's id (the booking path knows only its caller's id)."""
    if obj is not None and getattr(obj, "id", None) is None:
        db.session.flush()
    db.session.connection().execute(_INSERT, {
        "at": utcnow(),
        "actor_id": actor.id if isinstance(actor, User) else actor,
        "action": action,
        "object_type": type(obj).__name__.lower() if obj is not None else "system",
        "object_id": getattr(obj, "id", None),
        "data": data,
    })
