"""Events queued by services during a transaction, sent only after it commits.

A service calls `queue(event, payload, rooms)`; the events wait in the session and
go out over Socket.IO once the outermost transaction committed. An event queued inside
a savepoint that is rolled back is dropped with it, and a rollback of the whole
transaction drops them all: nobody hears about a change that did not happen.
"""
from __future__ import annotations

import logging
from typing import Any, Callable, Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session, SessionTransaction, scoped_session

logger = logging.getLogger(__name__)

_KEY = "maillage_pending_events"
Emitter = Callable[[str, dict[str, Any], list[str]], None]
_emitter: Emitter | None = None


def set_emitter(emitter: Emitter | None) -> None:
    """Where committed events go (the Socket.IO server, or a write-only queue client)."""
    global _emitter
    _emitter = emitter


def queue(session: Session | scoped_session, event: str, payload: dict[str, Any],
          rooms: Iterable[str]) -> None:
    if isinstance(session, scoped_session):
        session = session()
    # Remember the transactions (savepoints up to the root) the event belongs to.
    chain: list[SessionTransaction] = []
    tx = session.get_nested_transaction() or session.get_transaction()
    while tx is not None:
        chain.append(tx)
        tx = tx.parent
    session.info.setdefault(_KEY, []).append((event, payload, sorted(set(rooms)), chain))


@sa.event.listens_for(Session, "after_commit")
def _send(session: Session) -> None:
    pending = session.info.pop(_KEY, [])
    if _emitter is None:
        return
    for event, payload, rooms, _chain in pending:
        if not rooms:
            continue
        try:
            _emitter(event, payload, rooms)
        except Exception:  # a lost event must not undo a committed booking
            logger.exception("could not emit %s", event)


@sa.event.listens_for(Session, "after_soft_rollback")
def _drop(session: Session, previous: SessionTransaction) -> None:
    pending = session.info.get(_KEY)
    if pending:
        session.info[_KEY] = [item for item in pending if previous not in item[3]]


@sa.event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    # The outermost transaction ended without a commit (rollback, close): drop the rest.
    if transaction.parent is None:
        session.info.pop(_KEY, None)
