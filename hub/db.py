"""Engine set-up: SQLite pragmas and write transactions that lock up front."""
from __future__ import annotations

import logging
import sqlite3
import threading
from collections import namedtuple
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Iterator

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


class Prepared:
    """A Core statement run straight on the DB-API cursor of a connection.

    SQLAlchemy compiles it (once per dialect, and per set of parameter names for an
    INSERT) and its types convert parameters and results as `Connection.execute` would;
    what is skipped is the generic execution machinery (execution context, events,
    Result objects), which costs several times a short statement on SQLite. For the few
    statements every booking runs (bench/booking_throughput.py); everything else goes
    through the Session. Parameters are passed by bind name (the column key for the
    values of an INSERT); rows come back as named tuples.
    """

    def __init__(self, statement: sa.Executable) -> None:
        self.statement = statement
        self._dml = isinstance(statement, sa.sql.dml.ValuesBase)
        self._plans: dict[tuple[str, str, frozenset[str]], _Plan] = {}

    def rows(self, connection: sa.Connection, params: dict[str, Any]) -> list[Any]:
        dialect = connection.dialect
        key = (dialect.name, dialect.driver, frozenset(params) if self._dml else frozenset())
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = _Plan(self.statement, dialect, sorted(params) if self._dml else None)
        return plan.run(connection, params)

    def first(self, connection: sa.Connection, params: dict[str, Any]) -> Any | None:
        rows = self.rows(connection, params)
        return rows[0] if rows else None


class _Plan:
    """One compiled form of a Prepared statement."""

    def __init__(self, statement: sa.Executable, dialect: sa.Dialect, column_keys: list[str] | None) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=column_keys)
        self.sql = compiled.string
        self.dialect = dialect
        self.order = list(compiled.positiontup or ()) if compiled.positional else None
        binds = compiled.binds.items()
        # A bind holding its own value (a literal compared in a WHERE) keeps it.
        self.names = {bind.key: name for name, bind in binds if bind.required}
        self.constants = {name: bind.effective_value for name, bind in binds if not bind.required}
        self.bind_processors = [
            (name, processor) for name, bind in binds
            if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        ]
        self.columns = list(getattr(statement, "exported_columns", ()))
        self.row_type = namedtuple("Row", [c.key for c in self.columns], rename=True) if self.columns else None
        self.result_processors: list[tuple[int, Any]] | None = None  # known at the first result

    def run(self, connection: sa.Connection, params: dict[str, Any]) -> list[Any]:
        values = {name: params[key] for key, name in self.names.items()}
        values.update(self.constants)
        for name, processor in self.bind_processors:
            values[name] = processor(values[name])
        args: Any = [values[name] for name in self.order] if self.order is not None else values
        dbapi = self.dialect.loaded_dbapi
        dbapi_connection = connection.connection
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(self.sql, args)
            # An INSERT compiled for PostgreSQL returns its primary key unasked: ignored.
            if self.row_type is None or cursor.description is None:
                return []
            if self.result_processors is None:
                self.result_processors = [
                    (i, processor) for i, (column, described) in enumerate(zip(self.columns, cursor.description))
                    if (processor := column.type.dialect_impl(self.dialect).result_processor(
                        self.dialect, described[1])) is not None
                ]
            rows = cursor.fetchall()
        except dbapi.Error as exc:
            # As Connection.execute does: a wrapped error (IntegrityError, ...), and a
            # connection found dead is not handed out again.
            lost = self.dialect.is_disconnect(exc, dbapi_connection.dbapi_connection, cursor)
            if lost:
                connection.invalidate(exc)
            raise sa.exc.DBAPIError.instance(self.sql, args, exc, dbapi.Error, dialect=self.dialect,
                                             connection_invalidated=lost) from exc
        finally:
            cursor.close()
        if self.result_processors:
            rows = [list(row) for row in rows]
            for row in rows:
                for i, processor in self.result_processors:
                    row[i] = processor(row[i])
        make = self.row_type._make
        return [make(row) for row in rows]
