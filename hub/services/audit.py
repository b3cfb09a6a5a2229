"""Writing to the audit log."""
from __future__ import annotations

from typing import Any

from hub.extensions import db
from models import AuditEntry, User


def record(actor: User | int | None, action: str, obj: Any, **data: Any) -> AuditEntry:
    """Log a state change of `obj` (a model instance with an id, flushed first) by
    `actor`, a user or a user's id (the booking path knows only the id of its caller)."""
    if obj is not None and getattr(obj, "id", None) is None:
        db.session.flush()
    entry = AuditEntry(
        actor_id=actor.id if isinstance(actor, User) else actor,
        action=action,
        object_type=type(obj).__name__.lower() if obj is not None else "system",
        object_id=getattr(obj, "id", None),
        data=data,
    )
    db.session.add(entry)
    return entry
