"""Mail delivery delay: from the commit that queues a message to its receipt by an SMTP
server, with the in-process worker of `python app.py` (issue 10, target p95 under 2 s).

    python bench/mail_delivery.py                         # SQLite, a throwaway file
    python bench/mail_delivery.py --database-url postgresql+psycopg://...   # an EMPTY
                                                          # database: tables are recreated
    options: --messages 200  --rate 20 (commits per second; 0 = all at once)

The SMTP server (aiosmtpd) runs in a process of its own, as a real one would, and stamps
each message when it accepts it. The app commits one message per transaction, as a
request would (the test message kind: rendered, built and written to the outbox), at
`--rate` per second; the worker thread delivers them. Without --rate, two runs: paced at
20 per second (a busy platform), then a burst of all of them at once (a worst case: the
last of the burst waits for all the others).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RECEIVER = """
import sys, time
from aiosmtpd.controller import Controller

class Handler:
    async def handle_DATA(self, server, session, envelope):
        print(envelope.rcpt_tos[0], time.time(), flush=True)
        return "250 OK"

controller = Controller(Handler(), hostname="127.0.0.1", port=int(sys.argv[1]), server_hostname="bench.example")
controller.start()
print("ready", flush=True)
sys.stdin.read()  # until the bench closes our stdin
controller.stop()
"""


class Receiver:
    """The SMTP server process, and the receipt time of each recipient."""

    def __init__(self) -> None:
        from tests.servers import free_port

        self.port = free_port()
        self.received: dict[str, float] = {}
        self._proc = subprocess.Popen([sys.executable, "-c", RECEIVER, str(self.port)], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True)
        assert self._proc.stdout is not None
        if self._proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the SMTP server did not start")
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            recipient, at = line.split()
            self.received[recipient] = float(at)

    def close(self) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        self._proc.wait(10)


def run(app, receiver: Receiver, messages: int, rate: float, label: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from hub.extensions import db
    from hub.services import outbox
    from models import utcnow

    committed: dict[str, float] = {}
    with app.app_context():
        start = time.monotonic()
        for n in range(messages):
            if rate:
                time.sleep(max(0.0, start + n / rate - time.monotonic()))
            to = f"{label}-{n}@bench.example"
            text, html = outbox.render("test", mail_url="smtp://bench", sent_at=utcnow())
            outbox.queue_message("mail.test", to, "Maillage : message de test", text, html)
            db.session.commit()
            committed[to] = time.time()
    deadline = time.monotonic() + 120
    while any(to not in receiver.received for to in committed) and time.monotonic() < deadline:
        time.sleep(0.05)
    delays = sorted(receiver.received[to] - at for to, at in committed.items() if to in receiver.received)
    if len(delays) < messages:
        raise RuntimeError(f"{messages - len(delays)} message(s) not received after 120 s")
    cuts = statistics.quantiles(delays, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "max": delays[-1],
            "span": max(receiver.received[to] for to in committed) - min(committed.values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--rate", type=float, help="commits per second (0: all at once)")
    args = parser.parse_args()
    os.environ.setdefault("SECRET_KEY", "bench-only-secret")

    from hub import create_app
    from hub.extensions import db
    from hub.worker import start_in_process

    receiver = Receiver()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'mail-bench.db'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MAIL_URL": f"smtp://127.0.0.1:{receiver.port}"})
        with app.app_context():
            db.drop_all()
            db.create_all()
        stop = start_in_process(app)
        try:
            runs = [(args.rate, "run")] if args.rate is not None else [(20.0, "paced"), (0.0, "burst")]
            print(f"{args.messages} messages, {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}, "
                  "delay from commit to the SMTP server's receipt:")
            print(f"{'run':<22} {'p50':>8} {'p95':>8} {'max':>8} {'all in':>8}")
            for rate, label in runs:
                figures = run(app, receiver, args.messages, rate, label)
                name = f"{label} ({f'{rate:g}/s' if rate else 'all at once'})"
                print(f"{name:<22} " + " ".join(f"{figures[k]:>7.3f}s" for k in ("p50", "p95", "max", "span")),
                      flush=True)
        finally:
            stop()
            with app.app_context():
                db.engine.dispose()
            receiver.close()


if __name__ == "__main__":
    main()
