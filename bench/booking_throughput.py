"""Confirmed bookings per second through the full HTTP stack, beside a bare endpoint (issue 3).

    python bench/booking_throughput.py                          # SQLite, a throwaway file
    python bench/booking_throughput.py --database-url postgresql+psycopg://...   # an EMPTY
                                                                # database: tables are recreated
    options: --threads 8 (clients)  --seconds 10 (per measure)  --rounds 2  --server-threads 100

One gunicorn, started with the production command (`gunicorn -w 1 --threads 100`, see
deploy/maillage@.service) but on `bench.bare_app:app`: the production app plus a bench-only
route, so both are served by the same process in the same run:

- full: `POST /api/v1/resources/<id>/bookings` with a Bearer token: authentication,
  membership, rules, resource row lock, capacity sweep, insert, audit, event, commit;
- bare: `POST /bench/bare`: one conflict check and one insert in a write transaction on
  a raw DB-API connection (see bench/bare_app.py).

N client threads with keep-alive connections book distinct, non-overlapping quarter-hour
slots of a capacity-1 machine (one machine per route) for M seconds; measures alternate
bare/full for R rounds after a warm-up. Clients run on the same machine and take CPU from
the server: both routes pay that equally. Prints a table and the ratio full/bare
(floor since issue 9, on SQLite and PostgreSQL: at least 0.4, on SQLAlchemy's public API).
"""
from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
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
os.environ.setdefault("SECRET_KEY", "bench-only-secret")

FLOOR = 0.4


def seed(url: str) -> dict:
    from hub import create_app
    from hub.services.accounts import hash_token
    from hub.extensions import db
    from models import ApiToken, Membership, Place, Resource, User

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    token = secrets.token_urlsafe(24)
    with app.app_context():
        db.drop_all()
        db.create_all()
        user = User(email="membre@banc.fr", name="Membre du banc", password_hash="!")
        fab = Place(slug="fab-banc", name="Fabrique du banc", kind="fabrique", commune="Brest",
                    departement="29", region="53", territory="urbain", lat=48.39, lon=-4.49)
        tiers = Place(slug="tl-banc", name="Tiers-lieu du banc", kind="tiers_lieu", commune="Quimper",
                      departement="29", region="53", territory="rural", lat=48.0, lon=-4.1)
        tiers.memberships.append(Membership(user=user, role="member"))
        full = Resource(place=fab, kind="machine", name="Découpeuse laser", capacity=1)
        bare = Resource(place=fab, kind="machine", name="Découpeuse du banc nu", capacity=1)
        db.session.add_all([user, fab, tiers, full, bare])
        db.session.flush()
        db.session.add(ApiToken(user_id=user.id, token_hash=hash_token(token)))
        db.session.commit()
        ids = {"full": full.id, "bare": bare.id, "place_id": tiers.id, "place": tiers.slug, "token": token}
        db.session.remove()
        db.engine.dispose()
    return ids


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, server_threads: int) -> tuple[subprocess.Popen, int, Path]:
    port = free_port()
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=os.environ["SECRET_KEY"])
    env.pop("REDIS_URL", None)
    log = Path(tempfile.mkstemp(prefix="booking-bench-", suffix=".log")[1])
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    argv = [gunicorn, "-w", "1", "--threads", str(server_threads), "-b", f"127.0.0.1:{port}",
            "--log-level", "warning", "bench.bare_app:app"]
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
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
                raise SystemExit("gunicorn did not start in 30 s")
            time.sleep(0.1)


class Slots:
    """Distinct quarter-hour slots, shared by all client threads of all measures: a run
    books tens of thousands, and a booking may not end more than 18 months ahead."""

    def __init__(self) -> None:
        self._base = (datetime.now(timezone.utc) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
        self._counter = itertools.count()
        self._lock = threading.Lock()

    def next(self) -> tuple[str, str]:
        with self._lock:
            n = next(self._counter)
        start = self._base + timedelta(minutes=15 * n)
        return start.isoformat(), (start + timedelta(minutes=15)).isoformat()


def measure(port: int, route: str, ids: dict, slots: Slots, threads: int, seconds: float) -> dict:
    if route == "full":
        path = f"/api/v1/resources/{ids['full']}/bookings"
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {ids['token']}"}
    else:
        path = "/bench/bare"
        headers = {"Content-Type": "application/json"}
    confirmed = [0] * threads
    failed = [0] * threads
    latencies: list[list[float]] = [[] for _ in range(threads)]
    barrier = threading.Barrier(threads + 1)
    stop_at = [0.0]

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        while time.monotonic() < stop_at[0]:
            start, end = slots.next()
            if route == "full":
                body = {"place": ids["place"], "start": start, "end": end}
            else:
                body = {"resource": ids["bare"], "place": ids["place_id"], "start": start, "end": end}
            began = time.perf_counter()
            try:
                conn.request("POST", path, body=json.dumps(body), headers=headers)
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException):
                failed[i] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            latencies[i].append(time.perf_counter() - began)
            if response.status == 201 and json.loads(payload)["status"] == "confirmed":
                confirmed[i] += 1
            else:
                failed[i] += 1
        conn.close()

    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    stop_at[0] = time.monotonic() + seconds
    began = time.monotonic()
    barrier.wait()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - began
    flat = sorted(x for lat in latencies for x in lat)
    return {
        "confirmed": sum(confirmed),
        "failed": sum(failed),
        "rate": sum(confirmed) / elapsed,
        "p50_ms": 1000 * statistics.median(flat) if flat else float("nan"),
        "p95_ms": 1000 * flat[int(0.95 * (len(flat) - 1))] if flat else float("nan"),
    }


def verify(url: str, ids: dict) -> int:
    """Overlapping active bookings of one machine (must be 0)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        overlaps = conn.execute(sa.text(
            "SELECT count(*) FROM bookings a JOIN bookings b ON a.resource_id = b.resource_id AND a.id < b.id"
            " AND a.start_at < b.end_at AND b.start_at < a.end_at WHERE a.resource_id IN (:f, :b)"
        ), {"f": ids["full"], "b": ids["bare"]}).scalar()
    engine.dispose()
    return overlaps or 0


def run(url: str, label: str, args: argparse.Namespace) -> float:
    ids = seed(url)
    proc, port, log = start_server(url, args.server_threads)
    slots = Slots()
    try:
        for route in ("bare", "full"):  # warm-up: imports, connections, caches
            measure(port, route, ids, slots, args.threads, 1.0)
        results: dict[str, list[dict]] = {"bare": [], "full": []}
        for _ in range(args.rounds):
            for route in ("bare", "full"):
                results[route].append(measure(port, route, ids, slots, args.threads, args.seconds))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    overlaps = verify(url, ids)

    print(f"\n{label}: gunicorn -w 1 --threads {args.server_threads} bench.bare_app:app, "
          f"{args.threads} client threads, {args.rounds} x {args.seconds:g} s per route")
    print(f"{'route':<44} {'confirmed/s':>12} {'p50 ms':>8} {'p95 ms':>8} {'failed':>7}")
    rates = {}
    for route, title in (("bare", "bare: check + insert (raw DB-API)"),
                         ("full", "full: POST /api/v1/resources/{id}/bookings")):
        runs = results[route]
        rates[route] = statistics.mean(r["rate"] for r in runs)
        print(f"{title:<44} {rates[route]:>12.0f} {statistics.mean(r['p50_ms'] for r in runs):>8.1f} "
              f"{statistics.mean(r['p95_ms'] for r in runs):>8.1f} {sum(r['failed'] for r in runs):>7}")
        for n, r in enumerate(runs, 1):
            print(f"  round {n:<38} {r['rate']:>12.0f} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {r['failed']:>7}")
    ratio = rates["full"] / rates["bare"] if rates["bare"] else float("nan")
    verdict = " OK" if ratio >= FLOOR else " UNDER THE FLOOR"
    print(f"ratio full/bare: {ratio:.2f} (floor >= {FLOOR}){verdict}")
    print(f"overlapping active bookings afterwards: {overlaps}")
    errors = [line for line in log.read_text().splitlines() if "Traceback" in line or "ERROR" in line]
    if errors:
        print(f"server log has {len(errors)} error lines: {log}")
    else:
        log.unlink()
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=8, help="client threads")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds per measure")
    parser.add_argument("--rounds", type=int, default=2, help="bare/full alternations")
    parser.add_argument("--server-threads", type=int, default=100, help="gunicorn --threads")
    parser.add_argument("--database-url", help="also run on this EMPTY PostgreSQL database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="booking-bench-") as tmp:
        run(f"sqlite:///{tmp}/bench.db", "SQLite", args)
    if args.database_url:
        from hub.config import database_url

        run(database_url(args.database_url), "PostgreSQL", args)


if __name__ == "__main__":
    main()
