"""Network views while bookings stream in: are the maintained aggregates fast and current?

    python bench/analytics_stream.py                    # the national SQLite data set
    python bench/analytics_stream.py --db URL           # any database holding the national demo
    python bench/analytics_stream.py --seconds 60 --rate 10

Two gunicorn servers (one worker, 4 threads each) serve the API on the database, as two
instances of a deployment would. For `--seconds`, a streamer POSTs about `--rate` bookings a
second to one (confirmed, external: each one moves the figures of a real hub), and a
reader asks the other each network view in turn (hubs,
summary, monthly, graph, départements, communities). Beside them, in the same run, the
one SQL aggregate of the bookings that the views used to need (confirmed external bookings
per host and booking place) is timed on its own connection.

Prints each view's cold and warm times before the stream (first answer of the fresh
reading server, then the median of three with nothing changing), then under the stream
each view's p50/p95, the ratio of its p95 to the aggregate's p50 (issue 15: at most
0.25), whether every summary included every booking confirmed before it was asked, and
the server's memory (issue 15: under 500 MB).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

VIEWS = ("hubs", "summary", "monthly", "graph", "departements", "communities")
STREAM_RESOURCES = 40


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def prepare(url: str) -> dict:
    """A streaming user, member of many tiers-lieux, and big always-open machines at real
    hubs (created once, found again on later runs); an ANCT token."""
    import sqlalchemy as sa

    from hub import create_app
    from hub.extensions import db
    from hub.services import accounts
    from models import Membership, Place, Resource, User

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    rng = random.Random(15)
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "stream@bench.invalid"))
        if user is None:
            user = User(email="stream@bench.invalid", name="Flux de réservations", password_hash="!")
            db.session.add(user)
            db.session.flush()
            tiers = list(db.session.scalars(sa.select(Place.id).where(Place.kind == "tiers_lieu")))
            for place_id in rng.sample(tiers, 200):
                db.session.add(Membership(user_id=user.id, place_id=place_id, role="member"))
            hubs = list(db.session.scalars(sa.select(Place).where(Place.kind == "fabrique")))
            for hub in rng.sample(hubs, STREAM_RESOURCES):
                db.session.add(Resource(place_id=hub.id, kind="machine", name="Banc de mesure (bench)",
                                        capacity=10_000, max_beneficiaries=100))
        anct = db.session.scalar(sa.select(User).where(User.role == "anct").limit(1))
        tokens = {who.email: accounts.issue_token(who)[0] for who in (user, anct)}
        db.session.commit()
        resources = list(db.session.scalars(
            sa.select(Resource.id).where(Resource.name == "Banc de mesure (bench)")))
        places = list(db.session.scalars(
            sa.select(Place.slug).join(Membership, Membership.place_id == Place.id)
            .where(Membership.user_id == user.id)))
        return {"streamer": tokens[user.email], "reader": tokens[anct.email],
                "resources": resources, "places": places}


def start_server(url: str) -> tuple[subprocess.Popen, int, Path]:
    port = free_port()
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=os.environ.get("SECRET_KEY", secrets.token_hex(16)))
    env.pop("REDIS_URL", None)
    log = Path(tempfile.mkstemp(prefix="analytics-stream-", suffix=".log")[1])
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    argv = [gunicorn, "-w", "1", "--threads", "4", "-b", f"127.0.0.1:{port}", "--timeout", "120",
            "--log-level", "warning", "bench.bare_app:app"]
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{log.read_text()}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/openapi.json")
            conn.getresponse().read()
            conn.close()
            return proc, port, log
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise SystemExit("gunicorn did not start in 60 s")
            time.sleep(0.2)


def call(conn: http.client.HTTPConnection, method: str, path: str, token: str,
         body: dict | None = None) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    data = response.read()
    return response.status, json.loads(data) if data else {}


def aggregate_times(url: str, stop: threading.Event, out: list[float]) -> None:
    """The SQL aggregate of the bookings the views used to run, timed again and again."""
    import sqlalchemy as sa

    from hub import create_app
    from hub.extensions import db
    from hub.services import analytics

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        dialect = db.engine.dialect.name
        query = analytics.bookings_flows_query(None, None, dialect)
        while not stop.is_set():
            started = time.perf_counter()
            db.session.execute(query).all()
            out.append(time.perf_counter() - started)
            db.session.rollback()
            stop.wait(1.0)
        del sa


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="SQLAlchemy URL (default: bench/out/national.db)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=10.0, help="bookings per second")
    args = parser.parse_args()

    if args.db:
        url = args.db
    else:
        from bench.common import national_database

        url = national_database()
    ids = prepare(url)
    proc, port, log = start_server(url)
    writer, writer_port, writer_log = start_server(url)
    stop = threading.Event()
    confirmed = [0]
    failed: list[int] = []
    lock = threading.Lock()
    timings: dict[str, list[float]] = {v: [] for v in VIEWS}
    aggregate: list[float] = []
    stale: list[tuple[int, int]] = []

    def stream() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", writer_port, timeout=60)
        rng = random.Random(1)
        base = (datetime.now(timezone.utc) + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
        n = 0
        next_at = time.monotonic()
        while not stop.is_set():
            start = base + timedelta(minutes=15 * n)
            n += 1
            body = {"place": rng.choice(ids["places"]), "start": start.isoformat(),
                    "end": (start + timedelta(hours=1)).isoformat(), "beneficiaries": rng.randint(1, 12)}
            status, data = call(conn, "POST", f"/api/v1/resources/{rng.choice(ids['resources'])}/bookings",
                                ids["streamer"], body)
            if status == 201 and data.get("status") == "confirmed":
                with lock:
                    confirmed[0] += 1
            else:
                failed.append(status)
            next_at += 1.0 / args.rate
            stop.wait(max(0.0, next_at - time.monotonic()))

    def read() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        paths = {"hubs": "/api/v1/network/hubs", "summary": "/api/v1/network/summary",
                 "monthly": "/api/v1/network/monthly", "graph": "/api/v1/network/graph",
                 "departements": "/api/v1/network/departements",
                 "communities": "/api/v1/network/communities"}
        while not stop.is_set():
            for view in VIEWS:
                with lock:
                    before = confirmed[0]
                started = time.perf_counter()
                status, data = call(conn, "GET", paths[view], ids["reader"])
                elapsed = time.perf_counter() - started
                assert status == 200, (view, status, data)
                timings[view].append(elapsed)
                if view == "summary" and data["totals"]["bookings"] < baseline + before:
                    stale.append((data["totals"]["bookings"], baseline + before))

    # Cold: each view's first answer from the fresh reading server (the first one reads
    # the aggregates into the process); warm: the median of three more, nothing changed.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    cold: dict[str, float] = {}
    warm: dict[str, float] = {}
    for view in VIEWS:
        path = f"/api/v1/network/{view}"
        started = time.perf_counter()
        status, _ = call(conn, "GET", path, ids["reader"])
        cold[view] = time.perf_counter() - started
        assert status == 200, (view, status)
        times = []
        for _ in range(3):
            started = time.perf_counter()
            call(conn, "GET", path, ids["reader"])
            times.append(time.perf_counter() - started)
        warm[view] = statistics.median(times)
    idle_rss = sum(rss_mb(p) for p in [proc.pid] + children(proc.pid))
    # Counted before the stream starts: every later summary must hold at least this many
    # bookings plus those confirmed before it was asked.
    baseline = call(conn, "GET", "/api/v1/network/summary", ids["reader"])[1]["totals"]["bookings"]
    threads = [threading.Thread(target=stream), threading.Thread(target=read),
               threading.Thread(target=aggregate_times, args=(url, stop, aggregate))]
    for t in threads:
        t.start()
    peak_rss = 0.0
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        time.sleep(1)
        pids = [proc.pid] + children(proc.pid)
        peak_rss = max(peak_rss, sum(rss_mb(p) for p in pids))
    stop.set()
    for t in threads:
        t.join()
    for server in (proc, writer):
        server.terminate()
        server.wait(timeout=30)

    agg = statistics.median(aggregate)
    print(f"database: {url}")
    print(f"stream: {confirmed[0]} bookings confirmed in {args.seconds:.0f} s "
          f"({confirmed[0] / args.seconds:.1f}/s), {len(failed)} refused {sorted(set(failed))}")
    print(f"SQL aggregate of the bookings: p50 {agg * 1000:.0f} ms over {len(aggregate)} runs")
    print(f"{'view':<14}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'p95/agg':>9}")
    for view in VIEWS:
        values = timings[view]
        p95 = percentile(values, 0.95)
        print(f"{view:<14}{len(values):>5}{statistics.median(values) * 1000:>9.0f}"
              f"{p95 * 1000:>9.0f}{p95 / agg:>9.2f}")
    print("before the stream, nothing changing: " + ", ".join(
        f"{view} cold {cold[view] * 1000:.0f} / warm {warm[view] * 1000:.0f} ms" for view in VIEWS))
    print(f"reading server's memory after them: {idle_rss:.0f} MB")
    print(f"summaries missing a booking confirmed before them: {len(stale)}")
    print(f"reading server's memory (peak RSS, gunicorn master + worker): {peak_rss:.0f} MB")
    log.unlink(missing_ok=True)
    writer_log.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
