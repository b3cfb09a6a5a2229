"""Engine set-up: SQLite pragmas and write transactions that lock up front."""
from __future__ import annotations

import logging
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

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


def create_extensions(metadata: sa.MetaData) -> None:
    """PostgreSQL extensions the schema needs, created before the tables."""
    sa.event.listen(
        metadata,
        "before_create",
        sa.DDL("CREATE EXTENSION IF NOT EXISTS btree_gist").execute_if(dialect="postgresql"),
    )
