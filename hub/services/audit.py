"""Writing to the audit log."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from hub.extensions import db
from models import AuditEntry, User


def record(actor: User | None, action: str, obj: Any, **data: Any) -> AuditEntry:
    """Log a state change of `obj` (a model instance with an id, flushed first)."""
    if obj is not None and getattr(obj, "id", None) is None:
        db.session.flush()
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=type(obj).__name__.lower() if obj is not None else "system",
        object_id=getattr(obj, "id", None),
        data=data,
    )
    db.session.add(entry)
    return entry


_INSERT = sa.insert(AuditEntry)


def record_now(actor: User | None, action: str, obj: Any, **data: Any) -> None:
    """Like `record`, written at once by a single INSERT without a unit-of-work pass:
    for paths that run hundreds of times a second (booking creation)."""
    if obj is not None and getattr(obj, "id", None) is None:
        db.session.flush()
    db.session.connection().execute(_INSERT, [{
        "actor_id": actor.id if actor is not None else None,
        "action": action,
        "object_type": type(obj).__name__.lower() if obj is not None else "system",
        "object_id": getattr(obj, "id", None),
        "data": data,
    }])
