"""Writing to the audit log."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from hub.db import Prepared
from hub.extensions import db
from models import AuditEntry, User, utcnow


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


_INSERT = Prepared(sa.insert(AuditEntry.__table__))


def record_now(actor_id: int | None, action: str, object_type: str, object_id: int, **data: Any) -> None:
    """Like `record`, for an object written without the ORM: a single INSERT at once,
    no unit-of-work pass (booking creation runs hundreds of times a second)."""
    _INSERT.rows(db.session.connection(), {
        "at": utcnow(),
        "actor_id": actor_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "data": data,
    })
