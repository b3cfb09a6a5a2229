"""Network analytics at national scale: is the graph work cheaper than reading the data?

    python bench/analytics.py                 # the national SQLite data set (built once)
    python bench/analytics.py --db URL        # any database holding a national network

Prints, in one run on the same database:
- the SQL aggregate alone: confirmed external bookings per (host place, booking place)
  (count and beneficiaries; and the full aggregate the service runs, with hours);
- GET /api/v1/network/hubs cold (empty cache), through the Flask test client, and
  its ratio to the aggregate (issue 5: at most 2);
- the same request warm (cached): p50 / p95 over 50 requests (issue 5: p95 <= 50 ms);
- a few other views cold (summary with Louvain, graph, a bounded period);
- the process's memory (issue 5: at most 500 MB).
"""
from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

REPEATS = 5


def rss_mb() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process, in MB."""
    current = 0.0
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                current = int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return current, peak


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="SQLAlchemy URL (default: bench/out/national.db)")
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()

    import sqlalchemy as sa

    from hub import create_app
    from hub.db import read_only
    from hub.demo.common import ANCT_EMAIL, DEMO_PASSWORD
    from hub.extensions import db
    from hub.services import analytics

    if args.db:
        url = args.db
    else:
        from bench.common import national_database

        url = national_database()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    client = app.test_client()
    response = client.post("/api/v1/tokens", json={"email": ANCT_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 201, response.get_json()
    headers = {"Authorization": f"Bearer {response.get_json()['token']}"}

    with app.app_context():
        counts = db.session.execute(sa.text(
            "SELECT (SELECT count(*) FROM places), (SELECT count(*) FROM bookings),"
            " (SELECT count(*) FROM bookings WHERE status = 'confirmed')"
        )).one()
        dialect = db.engine.dialect.name
    print(f"database: {url} ({dialect})")
    print(f"places {counts[0]:,}, bookings {counts[1]:,} (confirmed {counts[2]:,})")

    baseline_sql = sa.text(
        "SELECT r.place_id, b.place_id, count(*), sum(coalesce(b.beneficiaries, b.quantity))"
        " FROM bookings b JOIN resources r ON r.id = b.resource_id"
        " WHERE b.status = 'confirmed' AND r.place_id <> b.place_id"
        " GROUP BY r.place_id, b.place_id"
    )

    def run_baseline() -> int:
        with app.app_context(), read_only():
            rows = db.session.execute(baseline_sql).all()
            db.session.rollback()
            return len(rows)

    def run_full_aggregate() -> int:
        with app.app_context(), read_only():
            rows = db.session.execute(analytics.bookings_flows_query(None, None, dialect)).all()
            db.session.rollback()
            return len(rows)

    def clear_cache() -> None:
        app.extensions.get("network_cache", {}).clear()

    def get(path: str) -> None:
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code, response.get_data()[:300])

    # One untimed pass of each so that every measure below reads from a warm page cache.
    edges = run_baseline()
    run_full_aggregate()
    clear_cache()
    get("/api/v1/network/hubs")

    baseline, full, cold = [], [], []
    for _ in range(REPEATS):
        baseline.append(timed(run_baseline))
        full.append(timed(run_full_aggregate))
        clear_cache()
        cold.append(timed(lambda: get("/api/v1/network/hubs")))
    base_t, full_t, cold_t = (statistics.median(x) for x in (baseline, full, cold))
    print(f"flows (host, booking place) pairs: {edges:,}")
    print(f"SQL aggregate (count, beneficiaries), median of {REPEATS}: {base_t * 1000:8.1f} ms")
    print(f"SQL aggregate with hours (the service's query):  {full_t * 1000:8.1f} ms")
    print(f"/network/hubs cold, median of {REPEATS}:             {cold_t * 1000:8.1f} ms")
    print(f"ratio cold / SQL aggregate:                      {cold_t / base_t:8.2f}  (limit 2)")
    print(f"ratio cold / aggregate with hours:               {cold_t / full_t:8.2f}")

    warm = []
    for _ in range(args.requests):
        warm.append(timed(lambda: get("/api/v1/network/hubs")))
    warm.sort()
    p50 = statistics.median(warm)
    p95 = warm[max(0, int(round(0.95 * len(warm))) - 1)]
    print(f"/network/hubs warm over {args.requests}: p50 {p50 * 1000:.1f} ms, "
          f"p95 {p95 * 1000:.1f} ms  (limit 50 ms)")

    with app.app_context():
        last = db.session.scalar(sa.select(sa.func.max(sa.column("start_at"))).select_from(sa.table("bookings")))
        db.session.rollback()
    end = last.date() if hasattr(last, "date") else None
    period = f"?from={end.replace(year=end.year - 1).isoformat()}&to={end.isoformat()}" if end else ""
    for label, path in [
        ("/network/hubs, one year (with activation), cold", f"/api/v1/network/hubs{period}"),
        ("/network/summary (coverage, unserved), cold", "/api/v1/network/summary"),
        ("/network/communities (Louvain), cold", "/api/v1/network/communities"),
        ("/network/graph (node-link), cold", "/api/v1/network/graph"),
        ("/network/monthly (second aggregate), cold", "/api/v1/network/monthly"),
    ]:
        clear_cache()
        print(f"{label}: {timed(lambda p=path: get(p)) * 1000:.0f} ms")
    clear_cache()
    pages = timed(lambda: [get(p) for p in (
        "/api/v1/network/summary", "/api/v1/network/communities", "/api/v1/network/graph",
        "/api/v1/network/shared-clientele", "/api/v1/network/monthly")])
    print(f"every view of one period, from cold: {pages * 1000:.0f} ms")
    current, peak = rss_mb()
    print(f"memory: RSS {current:.0f} MB, peak {peak:.0f} MB  (limit 500 MB)")


if __name__ == "__main__":
    main()
