"""POST /api/v1/password-reset for an existing address beside an unknown one, interleaved
in one run: nothing in the answer's timing should tell them apart (issue 10).

    .venv/bin/python bench/password_reset.py [--rounds 40]

Prints the median and p95 of each, and their ratio (the baseline is the unknown address).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub import create_app  # noqa: E402
from hub.extensions import db  # noqa: E402
from hub.services import accounts  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                          "MAIL_DIR": f"{tmp}/mail", "WTF_CSRF_ENABLED": False})
        with app.app_context():
            db.create_all()
            for n in range(args.rounds):
                accounts.register({"email": f"camille{n}@example.org", "password": "mot de passe long",
                                   "name": f"Camille {n}"})
            db.session.commit()
        client = app.test_client()
        known, unknown = [], []
        for n in range(args.rounds):
            for times, email in ((known, f"camille{n}@example.org"), (unknown, f"personne{n}@example.org")):
                start = time.perf_counter()
                client.post("/api/v1/password-reset", json={"email": email})
                times.append(time.perf_counter() - start)

    def p95(values: list[float]) -> float:
        return sorted(values)[int(0.95 * (len(values) - 1))]

    for name, values in (("unknown address (baseline)", unknown), ("existing account", known)):
        print(f"{name:<28} median {statistics.median(values) * 1000:7.1f} ms   p95 {p95(values) * 1000:7.1f} ms")
    print(f"ratio existing / unknown: {statistics.median(known) / statistics.median(unknown):.2f}")


if __name__ == "__main__":
    main()
