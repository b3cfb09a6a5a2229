"""Events queued by services during a transaction, sent only after it commits.

A service calls `queue(event, payload, rooms)`; the events wait in the session and
go out over Socket.IO once the commit succeeded, or vanish with a rollback.
"""
from __future__ import annotations

import logging
from typing import Any, Callable, Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

_KEY = "maillage_pending_events"
Emitter = Callable[[str, dict[str, Any], list[str]], None]
_emitter: Emitter | None = None


def set_emitter(emitter: Emitter | None) -> None:
    """Where committed events go (the Socket.IO server, or a write-only queue client)."""
    global _emitter
    _emitter = emitter


def queue(session: Session, event: str, payload: dict[str, Any], rooms: Iterable[str]) -> None:
    session.info.setdefault(_KEY, []).append((event, payload, sorted(set(rooms))))


@sa.event.listens_for(Session, "after_commit")
def _send(session: Session) -> None:
    pending = session.info.pop(_KEY, [])
    if _emitter is None:
        return
    for event, payload, rooms in pending:
        try:
            _emitter(event, payload, rooms)
        except Exception:  # a lost event must not undo a committed booking
            logger.exception("could not emit %s", event)


@sa.event.listens_for(Session, "after_rollback")
def _drop(session: Session) -> None:
    session.info.pop(_KEY, None)
