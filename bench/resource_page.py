"""Resource page of a busy resource: does it render in under 50 ms of server time? (issue 3)
And on the national demo, in under 100 ms? (issue 11)

    python bench/resource_page.py                       # a throwaway SQLite file
    python bench/resource_page.py --db postgresql+psycopg://…   # an EMPTY database (tables are recreated)
    python bench/resource_page.py --national            # the national SQLite file (bench/common.py)
    python bench/resource_page.py --national URL        # a database that already holds the national demo

Seeds one fabrique, one tiers-lieu with a logged-in member, and a shared space
(capacity 10, opening hours Mon–Sat 08:00–20:00) holding 10,000 bookings spread over a
year around today (Core bulk insert), plus a closure. Then, after warm-up, prints the
median and p95 over REQUESTS renders of GET /ressources/<id> through the Flask test
client (the view's time plus the test client's small overhead, no network), for this week
and for a week ahead, and the same figures for `free_busy` alone over the week shown.

With --national, nothing is written: logged in as the demo member, the same figures for
the week page of the national demo's busiest machine or space (the most active bookings
over the coming four weeks), this week and next week, beside the plain catalogue list.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench-only-secret")

BOOKINGS = 10_000
REQUESTS = 50
WARMUP = 5
TARGET_MS = 50.0
NATIONAL_TARGET_MS = 100.0
PASSWORD = "motdepasse-du-banc"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def timed(fn, repeats: int, cpu: list[float] | None = None) -> list[float]:  # type: ignore[no-untyped-def]
    """Wall-clock samples in ms; this process's CPU time per call appended to `cpu` if given
    (steadier than the wall clock on a shared machine)."""
    for _ in range(WARMUP):
        fn()
    samples = []
    for _ in range(repeats):
        began, began_cpu = time.perf_counter(), time.process_time()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - began_cpu) * 1000)
    return samples


def report(label: str, samples: list[float], target: float = TARGET_MS, cpu: list[float] | None = None) -> None:
    median, p95 = statistics.median(samples), percentile(samples, 0.95)
    verdict = "OK" if p95 <= target else "OVER"
    spent = f"   CPU median {statistics.median(cpu):6.1f} ms" if cpu else ""
    print(f"{label:<44} median {median:7.2f} ms   p95 {p95:7.2f} ms{spent}   target {target:.0f} ms: {verdict}")


def seed(app):  # type: ignore[no-untyped-def]
    import sqlalchemy as sa
    from werkzeug.security import generate_password_hash

    from hub.extensions import db
    from models import Booking, Closure, Membership, Place, Resource, User

    rng = random.Random(20240611)
    with app.app_context():
        db.drop_all()
        db.create_all()
        user = User(email="membre@banc.fr", name="Membre", password_hash=generate_password_hash(PASSWORD))
        fab = Place(slug="fab-banc", name="Fabrique du banc", kind="fabrique", commune="Brest",
                    departement="29", region="53", territory="urbain", lat=48.39, lon=-4.49)
        tiers = Place(slug="tl-banc", name="Tiers-lieu du banc", kind="tiers_lieu", commune="Quimper",
                      departement="29", region="53", territory="rural", lat=48.0, lon=-4.1)
        tiers.memberships.append(Membership(user=user, role="member"))
        hours = {d: [["08:00", "20:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat")}
        space = Resource(place=fab, kind="space", name="Grand atelier", capacity=10,
                         opening_hours=hours, description="Atelier partagé")
        db.session.add_all([user, fab, tiers, space])
        db.session.flush()
        now = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
        rows = []
        for _ in range(BOOKINGS):
            start = now + timedelta(days=rng.randint(-182, 182), hours=rng.randint(-6, 6))
            rows.append({
                "resource_id": space.id, "place_id": tiers.id, "user_id": user.id,
                "start_at": start, "end_at": start + timedelta(hours=rng.choice((1, 2, 3, 4))),
                "quantity": rng.randint(1, 2), "status": rng.choice(("confirmed",) * 8 + ("pending", "cancelled")),
                "note": "", "exclusive": False, "created_at": now, "updated_at": now,
            })
        db.session.execute(sa.insert(Booking), rows)
        db.session.add(Closure(resource=space, start_at=now + timedelta(days=3), end_at=now + timedelta(days=4),
                               reason="Maintenance"))
        db.session.commit()
        return space.id


def national(url: str, requests: int) -> None:
    import sqlalchemy as sa

    from hub import create_app
    from hub.demo.common import DEMO_PASSWORD, MEMBER_EMAIL
    from hub.extensions import db
    from models import ACTIVE_STATUSES, Booking, Resource, utcnow

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "REDIS_URL": None})
    with app.app_context():
        now = utcnow()
        held = sa.func.count(Booking.id)
        resource_id, name, count = db.session.execute(
            sa.select(Resource.id, Resource.name, held).join(Booking, Booking.resource_id == Resource.id)
            .where(Resource.kind.in_(("machine", "space")), Resource.archived_at.is_(None),
                   Booking.status.in_(ACTIVE_STATUSES), Booking.start_at >= now,
                   Booking.start_at < now + timedelta(weeks=4))
            .group_by(Resource.id, Resource.name).order_by(held.desc()).limit(1)
        ).one()
        total = db.session.scalar(sa.select(sa.func.count(Booking.id)).where(Booking.resource_id == resource_id))
        db.session.remove()
    client = app.test_client()
    login = client.post("/connexion", data={"email": MEMBER_EMAIL, "password": DEMO_PASSWORD})
    assert login.status_code == 302, "log-in failed"
    next_week = (datetime.now(timezone.utc) + timedelta(weeks=1)).date().isoformat()

    def get(path: str) -> None:
        assert client.get(path).status_code == 200, path

    print(f"{url.split(':')[0]}: national demo; busiest resource {resource_id} ({name}): {count} active bookings "
          f"in the coming four weeks, {total} in all; {requests} requests after {WARMUP} warm-up")
    for label, path in (("plain list (baseline): /ressources?pres=", "/ressources?pres="),
                        ("GET /ressources/<id> (this week)", f"/ressources/{resource_id}"),
                        ("GET /ressources/<id>?semaine=next week", f"/ressources/{resource_id}?semaine={next_week}")):
        cpu: list[float] = []
        report(label, timed(lambda: get(path), requests, cpu), NATIONAL_TARGET_MS, cpu)
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--national", nargs="?", const="", metavar="URL",
                        help="the national demo (default: bench/out/national.db); nothing is written")
    parser.add_argument("--requests", type=int, default=REQUESTS)
    args = parser.parse_args()
    if args.national is not None:
        from bench.common import national_database

        national(args.national or national_database(), args.requests)
        return

    from hub import create_app
    from hub.extensions import db
    from hub.services import resources
    from hub.web.views import catalogue

    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'resource-page.db'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "REDIS_URL": None})
        resource_id = seed(app)
        client = app.test_client()
        login = client.post("/connexion", data={"email": "membre@banc.fr", "password": PASSWORD})
        assert login.status_code == 302, "log-in failed"
        ahead = (datetime.now(timezone.utc) + timedelta(weeks=8)).date().isoformat()

        def page(query: str = "") -> None:
            response = client.get(f"/ressources/{resource_id}{query}")
            assert response.status_code == 200 and 'id="availability"' in response.get_data(as_text=True)

        print(f"{app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}: {BOOKINGS} bookings on one resource, "
              f"{args.requests} requests after {WARMUP} warm-up")
        report("GET /ressources/<id> (this week, logged in)", timed(page, args.requests))
        report("GET /ressources/<id>?semaine=+8 weeks", timed(lambda: page(f"?semaine={ahead}"), args.requests))
        with app.app_context():
            space = resources.get_resource(resource_id)
            start, end = catalogue.week_bounds(catalogue.week_start(None))
            intervals = resources.free_busy(space, start, end)
            report(f"free_busy alone (1 week, {len(intervals)} intervals)",
                   timed(lambda: resources.free_busy(space, start, end), args.requests))
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
