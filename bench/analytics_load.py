"""Load the national demo into PostgreSQL with COPY, optionally grown to N bookings.

    python bench/analytics_load.py --db postgresql+psycopg://postgres@/national?host=DIR
    python bench/analytics_load.py --db URL --bookings 10000000

The schema is created on the (empty) database, then every table of the national SQLite
data set (bench/common.py) is copied with psycopg's `cursor.copy`. With `--bookings N`,
the bookings are copied again inside PostgreSQL (COPY ... TO STDOUT piped into COPY ...
FROM STDIN, binary), shifted back in time by whole spans of 52 weeks (the weekdays and
hours stay those the places open), until the table holds N: the national network with
more years behind it. Then `analytics.rebuild()` recomputes the aggregates
from the bookings, as `flask analytics rebuild` would, and ANALYZE runs. Prints the rates.
"""
from __future__ import annotations

import argparse
import math
import sqlite3
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WEEKS_52 = timedelta(weeks=52)
BOOKING_TIMES = ("start_at", "end_at", "created_at", "updated_at", "reminded_at", "checked_out_at",
                 "returned_at", "due_notified_at", "overdue_notified_at")


def _rows(source: sqlite3.Connection, table: str, columns: list[str], batch: int = 50_000):
    cursor = source.execute(f"SELECT {', '.join(columns)} FROM {table}")
    while True:
        rows = cursor.fetchmany(batch)
        if not rows:
            return
        yield from rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of an empty PostgreSQL database")
    parser.add_argument("--source", help="national SQLite file (default: bench/out/national.db)")
    parser.add_argument("--bookings", type=int, default=0, help="grow the bookings to this many")
    args = parser.parse_args()

    import sqlalchemy as sa
    from tqdm import tqdm

    from hub import create_app
    from hub.extensions import db
    from hub.services import analytics

    if args.source:
        source_path = Path(args.source)
    else:
        from bench.common import NATIONAL_DB, national_database

        national_database()
        source_path = NATIONAL_DB
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.db})
    with app.app_context():
        db.create_all()
        raw = db.engine.raw_connection()
        cursor = raw.cursor()
        cursor.execute("SET TIME ZONE 'UTC'")
        present = {name for (name,) in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        started = time.perf_counter()
        copied = 0
        loaded = db.session.scalar(sa.text("SELECT count(*) FROM places"))
        db.session.rollback()
        if loaded:
            print("the national tables are there already: only growing the bookings")
        for table in db.metadata.sorted_tables:
            if loaded or table.name not in present:
                continue
            have = {row[1] for row in source.execute(f"PRAGMA table_info({table.name})")}
            columns = [c.name for c in table.columns if c.name in have]
            names = ", ".join(f'"{c}"' for c in columns)
            with cursor.copy(f'COPY {table.name} ({names}) FROM STDIN') as copy:
                for row in _rows(source, table.name, columns):
                    copy.write_row(row)
                    copied += 1
            if "id" in columns and isinstance(table.c.id.type, sa.Integer):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                               f"coalesce(max(id), 0) + 1, false) FROM {table.name}")
        raw.commit()
        elapsed = max(time.perf_counter() - started, 1e-9)
        print(f"copied {copied:,} rows in {elapsed:.0f} s ({copied / elapsed:,.0f} rows/s)")

        base = source.execute("SELECT count(*), max(id), min(start_at), max(end_at) FROM bookings").fetchone()
        count, max_id, first, last = base
        if args.bookings > count:
            span = datetime.fromisoformat(last) - datetime.fromisoformat(first)
            step = WEEKS_52 * math.ceil(span / WEEKS_52)
            table = db.metadata.tables["bookings"]
            columns = [c.name for c in table.columns]
            shifted = ", ".join(
                f'"{c}" - make_interval(days => %(days)d)' if c in BOOKING_TIMES
                else ('"id" + %(offset)d' if c == "id" else f'"{c}"')
                for c in columns
            )
            names = ", ".join(f'"{c}"' for c in columns)
            started = time.perf_counter()
            added = 0
            wanted = args.bookings - count
            reader = db.engine.raw_connection()
            out = reader.cursor()
            with tqdm(total=wanted, unit=" réservations", file=sys.stderr, mininterval=5) as bar:
                copy_round = 0
                while added < wanted:
                    copy_round += 1
                    n = min(count, wanted - added)
                    params = {"days": step.days * copy_round, "offset": max_id * copy_round}
                    # The copy of the first n bookings, shifted back, straight from one COPY
                    # to the other in PostgreSQL's binary format (no row passes through Python).
                    query = (f"COPY (SELECT {shifted % params} FROM bookings WHERE id <= {int(max_id)} "
                             f"ORDER BY id LIMIT {int(n)}) TO STDOUT (FORMAT BINARY)")
                    with out.copy(query) as source_copy, \
                            cursor.copy(f"COPY bookings ({names}) FROM STDIN (FORMAT BINARY)") as copy:
                        for data in source_copy:
                            copy.write(data)
                    raw.commit()
                    reader.commit()
                    added += n
                    bar.update(n)
            reader.close()
            cursor.execute("SELECT setval(pg_get_serial_sequence('bookings', 'id'), max(id) + 1, false) FROM bookings")
            raw.commit()
            elapsed = time.perf_counter() - started
            print(f"added {added:,} bookings in {elapsed:.0f} s ({added / elapsed:,.0f} rows/s), "
                  f"{copy_round} spans of {step.days} days back")
        raw.close()

        started = time.perf_counter()
        with tqdm(total=analytics.counted_bookings(), unit=" réservations", file=sys.stderr,
                  mininterval=5) as bar:
            rows = analytics.rebuild(bar.update)
        db.session.commit()
        print(f"analytics rebuilt: {rows:,} rows in {time.perf_counter() - started:.0f} s")
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE"))


if __name__ == "__main__":
    main()
