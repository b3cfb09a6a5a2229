"""The demo's rows, buffered per table with explicit ids and written in bulk Core inserts.

Audit entries take the shape `hub.services.audit.record` gives them (object type = the
model's class name in lower case, the same action names and payload keys as the
services), but keep the instant of the change they describe instead of the seeding's.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from hub.extensions import db
from models import (
    AuditEntry,
    Booking,
    Closure,
    Membership,
    Place,
    Qualification,
    Resource,
    TrainingSession,
    User,
)

CHUNK = 20_000
# Parents before children.
ORDER: tuple[type, ...] = (User, Place, Membership, Resource, Closure, TrainingSession, Booking, Qualification)


class Store:
    def __init__(self, audit: bool) -> None:
        self.audit_enabled = audit
        self._ids = {model: _next_id(model) for model in ORDER}
        self.rows: dict[type, list[dict[str, Any]]] = defaultdict(list)
        self.audit_rows: list[dict[str, Any]] = []
        self.counts: dict[str, int] = defaultdict(int)

    def new_id(self, model: type) -> int:
        value = self._ids[model]
        self._ids[model] = value + 1
        return value

    def add(self, model: type, row: dict[str, Any]) -> None:
        self.rows[model].append(row)

    def pending(self, model: type) -> int:
        return len(self.rows[model])

    def audit(self, at: datetime, actor_id: int | None, action: str, model: type, object_id: int,
              **data: Any) -> None:
        if self.audit_enabled:
            self.audit_rows.append({
                "at": at, "actor_id": actor_id, "action": action,
                "object_type": model.__name__.lower(), "object_id": object_id, "data": data,
            })

    def flush(self, *, qualifications: bool = False) -> None:
        """Insert what is buffered. Qualifications wait for `qualifications=True`: they are
        granted once every training's attendance is known."""
        for model in ORDER:
            if model is Qualification and not qualifications:
                continue
            rows = self.rows.pop(model, [])
            if rows:
                self.counts[model.__tablename__] += len(rows)  # type: ignore[attr-defined]
                _insert(model, rows)
        if self.audit_rows:
            _insert(AuditEntry, self.audit_rows)
            self.audit_rows = []

    def finish(self, data: dict[str, Any]) -> dict[str, int]:
        """The seeding's own audit entry; sequences moved past the explicit ids."""
        db.session.add(AuditEntry(actor_id=None, action="demo.seeded", object_type="system",
                                  object_id=None, data=data))
        db.session.flush()
        _reset_sequences(ORDER + (AuditEntry,))
        return dict(self.counts)


def _next_id(model: type) -> int:
    return (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1  # type: ignore[attr-defined]


def _insert(model: type, rows: list[dict[str, Any]]) -> None:
    table = model.__table__  # type: ignore[attr-defined]
    for i in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(table), rows[i:i + CHUNK])


def _reset_sequences(models: tuple[type, ...]) -> None:
    """Rows were written with explicit ids: move PostgreSQL's sequences past them."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        name = model.__tablename__  # type: ignore[attr-defined]
        db.session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
        ))
