"""Benchmark-only WSGI module: the production app plus one bare booking endpoint.

    gunicorn -w 1 --threads 100 -b 127.0.0.1:PORT bench.bare_app:app

`POST /bench/bare {"resource": id, "place": id, "start": ISO, "end": ISO}` does, on a raw
DB-API connection of its thread, exactly one conflict check and one insert in a write
transaction, and nothing else: no authentication, no ORM, no rules, no audit, no events.
It is the floor the full booking route is measured against, served by the same process
(same gunicorn, same Flask, same database), and it never ships: app.py does not import it.
"""
from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timezone
from typing import Any

from flask import jsonify, request

from hub import create_app
from hub.extensions import csrf

app = create_app()
_local = threading.local()
URL: str = app.config["SQLALCHEMY_DATABASE_URI"]
SQLITE = URL.startswith("sqlite")

CHECK = ("SELECT count(*) FROM bookings WHERE resource_id = {p} AND start_at < {p} AND end_at > {p}"
         " AND status IN ('pending', 'confirmed')")
INSERT = ("INSERT INTO bookings (resource_id, place_id, start_at, end_at, quantity, note, status, exclusive,"
          " created_at, updated_at) VALUES ({p}, {p}, {p}, {p}, 1, '', 'confirmed', {f}, {p}, {p})")


def _connection() -> Any:
    conn = getattr(_local, "conn", None)
    if conn is None:
        if SQLITE:
            # The app's own pragmas (hub/db.py), so both routes pay the same commit cost.
            conn = sqlite3.connect(URL.split("sqlite:///", 1)[1], isolation_level=None,
                                   check_same_thread=False)
            for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=30000", "synchronous=NORMAL"):
                conn.execute(f"PRAGMA {pragma}")
        else:
            import psycopg

            conn = psycopg.connect(URL.replace("postgresql+psycopg://", "postgresql://", 1))
        _local.conn = conn
    return conn


def _stored(value: datetime) -> Any:
    """What the UTCDateTime column stores: naive UTC text on SQLite, timestamptz on PostgreSQL."""
    value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if SQLITE else value


@app.post("/bench/bare")
@csrf.exempt
def bare_booking():  # type: ignore[no-untyped-def]
    data = request.get_json()
    start, end = datetime.fromisoformat(data["start"]), datetime.fromisoformat(data["end"])
    now = _stored(datetime.now(timezone.utc))
    conn = _connection()
    p = "?" if SQLITE else "%s"
    if SQLITE:
        conn.execute("BEGIN IMMEDIATE")
        cur = conn.cursor()
    else:
        cur = conn.cursor()  # psycopg opens the transaction itself
        cur.execute("SELECT id FROM resources WHERE id = %s FOR UPDATE", (data["resource"],))
    try:
        cur.execute(CHECK.format(p=p), (data["resource"], _stored(end), _stored(start)))
        if cur.fetchone()[0]:
            conn.rollback() if not SQLITE else conn.execute("ROLLBACK")
            return jsonify({"error": "unavailable"}), 409
        cur.execute(INSERT.format(p=p, f="1" if SQLITE else "true"),
                    (data["resource"], data["place"], _stored(start), _stored(end), now, now))
        conn.execute("COMMIT") if SQLITE else conn.commit()
    except Exception:
        conn.execute("ROLLBACK") if SQLITE else conn.rollback()
        raise
    return jsonify({"status": "confirmed"}), 201
