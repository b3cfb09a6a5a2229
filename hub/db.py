"""Engine set-up: SQLite pragmas and write transactions that lock up front."""
from __future__ import annotations

import logging
import sqlite3
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Engine

logger = logging.getLogger(__name__)

# Whether the transactions begun in this context will write. On SQLite a writer
# must take the lock when it begins (BEGIN IMMEDIATE): a deferred transaction that
# reads, then writes, can fail at once with "database is locked" when another
# writer committed in between, whatever the busy timeout. Read-only requests keep
# plain BEGIN so that readers never wait for writers (WAL).
# As long as SQLite's busy_timeout (set below).
WRITER_WAIT_SECONDS = 30
write_intent: ContextVar[bool] = ContextVar("write_intent", default=True)


@contextmanager
def read_only() -> Iterator[None]:
    token = write_intent.set(False)
    try:
        yield
    finally:
        write_intent.reset(token)


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not the sqlite3 module, emit BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    # SQLite admits one writer at a time, and a writer that finds the lock taken sleeps
    # in SQLite's busy handler (naps of up to 100 ms) however soon the lock frees: under
    # load, threads of one process mostly sleep. So this process's writers first queue on
    # a Python lock, woken the moment the previous writer is done; other processes still
    # meet at BEGIN IMMEDIATE. The lock goes with the pooled connection and is released
    # when the connection returns to the pool (after COMMIT or ROLLBACK has completed:
    # the engine's commit event fires before the COMMIT, too early); a Session returns
    # its connection at the end of each transaction.
    writer = threading.Lock()

    def _release(record_info: dict) -> None:  # type: ignore[type-arg]
        if record_info.pop("holds_writer_lock", False):
            writer.release()

    def _begin(conn, statement: str) -> None:  # type: ignore[no-untyped-def]
        # Straight to the driver: every request begins a transaction, and SQLAlchemy's
        # execution path costs several times the statement itself. Its errors still
        # arrive wrapped (OperationalError) like any other.
        try:
            conn.connection.driver_connection.execute(statement)
        except sqlite3.Error as exc:
            raise sa.exc.OperationalError(statement, {}, exc) from exc

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        if not write_intent.get():
            _begin(conn, "BEGIN")
            return
        if conn.info.get("holds_writer_lock"):  # a second transaction on the same connection
            _begin(conn, "BEGIN IMMEDIATE")
            return
        if not writer.acquire(timeout=WRITER_WAIT_SECONDS):
            raise sa.exc.OperationalError("BEGIN IMMEDIATE", {}, TimeoutError("database is locked"))
        conn.info["holds_writer_lock"] = True
        try:
            _begin(conn, "BEGIN IMMEDIATE")
        except BaseException:
            _release(conn.info)
            raise

    sa.event.listen(engine.pool, "checkin", lambda _dbapi, record: _release(record.info))
    # An invalidated connection's info is cleared: release first.
    sa.event.listen(engine.pool, "invalidate", lambda _dbapi, record, _exc: _release(record.info))


def create_extensions(metadata: sa.MetaData) -> None:
    """PostgreSQL extensions the schema needs, created before the tables."""
    sa.event.listen(
        metadata,
        "before_create",
        sa.DDL("CREATE EXTENSION IF NOT EXISTS btree_gist").execute_if(dialect="postgresql"),
    )
