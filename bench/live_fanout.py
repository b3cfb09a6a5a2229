"""Fan-out latency of live events: 200 sockets in one fabrique's room, bookings committed
through the API, time from the commit to each socket's receipt.

Usage (from the repository root):

    .venv/bin/python bench/live_fanout.py [--clients 200] [--bookings 20]
        [--database-url URL] [--redis-url URL] [--threads 300] [--client-procs 4]
        [--client python-socketio|lean]

Both scenarios use the production server command (`gunicorn -w 1 --threads N app:app`):
  one process       clients and bookings on the same instance, no message queue;
  through Redis     two instances sharing the database and a Redis message queue,
                    clients connected to B, bookings posted to A.

Every client is a manager of the fabrique (API token on connect), so it is in the room
`managers:<fabrique>`. Latency of one receipt = receipt clock time - the booking's
`updated_at` (server clock, set when the row is flushed, just before the commit; same
machine, same clock), so it covers commit + emit + delivery + client decoding. Also shown:
receipt relative to the instant the POST was sent, and to the instant its response arrived
(negative = the event arrived before the HTTP response). Clients run in several processes
so that one Python interpreter's lock does not queue 200 receipts behind each other.

Without --database-url a temporary SQLite file is used; without --redis-url a throwaway
redis-server is started on a free port.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import free_port, server_process  # noqa: E402


def setup_database(database_url: str, clients: int) -> dict[str, Any]:
    """A fabrique with `clients` managers (each with a token) and a booker's tiers-lieu."""
    from werkzeug.security import generate_password_hash

    from hub import create_app
    from hub.services.accounts import hash_token
    from hub.extensions import db
    from hub.reference import DEPARTEMENTS, region_of
    from models import ApiToken, Membership, Place, Resource, User

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": None})
    password_hash = generate_password_hash("banc-d-essai-solide", method="scrypt")
    dep = DEPARTEMENTS["29"]

    def place(kind: str, slug: str) -> Place:
        return Place(kind=kind, name=slug, slug=slug, departement="29", commune="Brest",
                     territory="urbain", lat=dep.lat, lon=dep.lon, region=region_of("29").code)

    def user_with_token(email: str) -> tuple[User, str]:
        user = User(email=email, name=email, password_hash=password_hash)
        token = secrets.token_urlsafe(24)
        user.tokens.append(ApiToken(token_hash=hash_token(token)))
        return user, token

    with app.app_context():
        db.drop_all()
        db.create_all()
        hub = place("fabrique", "fabrique-banc")
        tiers_lieu = place("tiers_lieu", "tiers-lieu-banc")
        tokens = []
        for n in range(clients):
            user, token = user_with_token(f"gestion{n}@banc.example")
            hub.memberships.append(Membership(user=user, role="manager"))
            tokens.append(token)
        booker, booker_token = user_with_token("reserve@banc.example")
        tiers_lieu.memberships.append(Membership(user=booker, role="member"))
        resource = Resource(place=hub, kind="space", name="Salle", capacity=1)
        db.session.add_all([hub, tiers_lieu, resource])
        db.session.commit()
        info = {"tokens": tokens, "booker_token": booker_token, "resource": resource.id,
                "place": tiers_lieu.slug}
        db.engine.dispose()
    return info


def client_process(kind: str, url: str, tokens: list[str], ready: Any, go: Any,
                   out: Any) -> None:
    """Connect these clients, then report every booking event they receive."""
    received: list[tuple[int, float, dict[str, Any]]] = []
    connect = python_socketio_client if kind == "python-socketio" else lean_client
    closers = [connect(url, token, received) for token in tokens]
    ready.put(len(closers))
    go.wait()  # set once all bookings are made and given time to arrive
    out.put([(i, t, b.get("updated_at")) for i, t, b in received])
    for close in closers:
        close()


def python_socketio_client(url: str, token: str, received: list) -> Any:
    import socketio

    client = socketio.Client(reconnection=False)
    client.on("booking.created",
              lambda booking: received.append((booking["id"], time.time(), booking)))
    client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    return client.disconnect


def lean_client(url: str, token: str, received: list) -> Any:
    """A minimal Socket.IO v5 client over one WebSocket and one thread (python-socketio's
    client starts a thread per message, which on a small machine measures the clients
    more than the server)."""
    import json
    import threading

    import websocket

    ws = websocket.create_connection(
        url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket", timeout=10
    )
    assert ws.recv().startswith("0")  # Engine.IO open
    ws.send("40" + json.dumps({"token": token}))
    if not ws.recv().startswith("40"):
        raise SystemExit("connection refused")
    ws.settimeout(None)

    def read() -> None:
        while True:
            try:
                message = ws.recv()
            except Exception:
                return
            at = time.time()
            if message == "2":
                ws.send("3")
            elif message.startswith('42["booking.created"'):
                booking = json.loads(message[2:])[1]
                received.append((booking["id"], at, booking))

    threading.Thread(target=read, daemon=True).start()
    return ws.close


def run_scenario(label: str, post_url: str, socket_url: str, info: dict[str, Any],
                 bookings: int, procs: int, days_ahead: int, kind: str) -> None:
    ctx = mp.get_context("spawn")
    ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    tokens = info["tokens"]
    chunks = [tokens[i::procs] for i in range(procs)]
    workers = [ctx.Process(target=client_process, args=(kind, socket_url, chunk, ready, go, out))
               for chunk in chunks if chunk]
    for w in workers:
        w.start()
    connected = sum(ready.get(timeout=120) for _ in workers)

    session = requests.Session()
    headers = {"Authorization": f"Bearer {info['booker_token']}"}
    sent: dict[int, tuple[float, float]] = {}
    base = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    base += timedelta(days=days_ahead)
    for n in range(bookings + 2):
        start = base + timedelta(hours=2 * n)
        body = {"place": info["place"], "start": start.isoformat(),
                "end": (start + timedelta(hours=1)).isoformat()}
        t0 = time.time()
        response = session.post(f"{post_url}/api/v1/resources/{info['resource']}/bookings",
                                json=body, headers=headers)
        t1 = time.time()
        if response.status_code != 201:
            raise SystemExit(f"booking refused: {response.status_code} {response.text}")
        if n >= 2:  # the first two warm up the server (imports, connection pools)
            sent[response.json()["id"]] = (t0, t1)
        time.sleep(0.05)
    time.sleep(1.0)
    go.set()
    receipts = [r for _ in workers for r in out.get(timeout=60)]
    for w in workers:
        w.join(timeout=30)

    from_commit, from_send, from_response = [], [], []
    for booking_id, at, updated_at in receipts:
        if booking_id not in sent:
            continue
        t0, t1 = sent[booking_id]
        if updated_at:
            from_commit.append((at - datetime.fromisoformat(updated_at).timestamp()) * 1000)
        from_send.append((at - t0) * 1000)
        from_response.append((at - t1) * 1000)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    expected = connected * len(sent)
    got = sum(1 for r in receipts if r[0] in sent)
    print(f"\n{label}: {connected} clients connected, {len(sent)} bookings, "
          f"{got}/{expected} events received (load average {load})")
    for name, values in (("updated_at -> receipt", from_commit),
                         ("POST sent -> receipt", from_send),
                         ("POST response -> receipt", from_response)):
        if values:
            print(f"  {name:26s} p50 {pct(values, 50):7.1f} ms   p95 {pct(values, 95):7.1f} ms"
                  f"   max {max(values):7.1f} ms")


def pct(values: list[float], p: int) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[p - 1]


@contextmanager
def redis_server(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    binary = shutil.which("redis-server")
    if not binary:
        raise SystemExit("redis-server not found: pass --redis-url")
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1",
                                 "--save", "", "--appendonly", "no", "--dir", tmp],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            import redis

            while True:
                try:
                    redis.Redis(port=port).ping()
                    break
                except redis.ConnectionError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--bookings", type=int, default=20)
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url")
    parser.add_argument("--threads", type=int, default=300,
                        help="gunicorn threads per instance (one per open WebSocket, plus HTTP)")
    parser.add_argument("--client-procs", type=int, default=4)
    parser.add_argument("--client", choices=("python-socketio", "lean"), default="python-socketio",
                        help="client library: python-socketio, or a minimal one-thread client")
    args = parser.parse_args()

    os.environ.setdefault("SECRET_KEY", "bench-only-secret")
    with ExitStack() as stack:
        database_url = args.database_url
        if not database_url:
            tmp = stack.enter_context(tempfile.TemporaryDirectory())
            database_url = f"sqlite:///{tmp}/bench.db"
        info = setup_database(database_url, args.clients)
        gunicorn = [sys.executable, "-m", "gunicorn", "-w", "1", "--threads", str(args.threads),
                    "-b", "127.0.0.1:{port}", "--log-level", "warning", "app:app"]
        print(f"server: {' '.join(gunicorn[1:])}")
        print(f"database: {database_url.split('://')[0]}, clients: {args.clients}, "
              f"bookings measured: {args.bookings}, client processes: {args.client_procs}, "
              f"client: {args.client}")

        with server_process(database_url, command=gunicorn) as one:
            run_scenario("one process", one, one, info, args.bookings, args.client_procs, 30,
                         args.client)

        redis_url = stack.enter_context(redis_server(args.redis_url))
        with server_process(database_url, redis_url=redis_url, command=gunicorn) as a, \
                server_process(database_url, redis_url=redis_url, command=gunicorn) as b:
            run_scenario("through Redis (bookings on A, clients on B)", a, b, info,
                         args.bookings, args.client_procs, 60, args.client)


if __name__ == "__main__":
    main()
