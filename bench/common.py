"""Shared helpers for the benchmarks: the national data set they all run on.

    from bench.common import national_database
    url = national_database()   # sqlite:///…/bench/out/national.db, built once

The file is the demo network at national scale (`flask --app app demo --scale
national`: 360 fabriques, 3,500 tiers-lieux, 1,000,000 bookings over three years),
built under a temporary name and renamed when complete, then reused by every later
run. Its dates are relative to the day it was built; pass `rebuild=True` (or run
`python bench/common.py --rebuild`) for a fresh one.
"""
from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

OUT_DIR = ROOT / "bench" / "out"
NATIONAL_DB = OUT_DIR / "national.db"


def _sqlite_files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def is_complete(path: Path) -> bool:
    """Whether `path` holds a finished national demo network."""
    from hub.demo.common import SCALES

    if not path.exists():
        return False
    try:
        # A bench reading the file meanwhile must not make it look incomplete (and rebuilt).
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=60) as conn:
            row = conn.execute(
                "SELECT data FROM audit_log WHERE action = 'demo.seeded' ORDER BY id DESC LIMIT 1"
            ).fetchone()
    except sqlite3.Error:
        return False
    if row is None:
        return False
    seeded = json.loads(row[0])
    # The loans come on top of the scale's bookings (1,000,003 for 1,000,000).
    return seeded.get("scale") == "national" and seeded.get("bookings", 0) >= SCALES["national"].bookings


def national_database(path: Path | None = None, *, seed: int = 1, rebuild: bool = False) -> str:
    """SQLAlchemy URL of the national data set, built first if missing or incomplete."""
    path = Path(path) if path else NATIONAL_DB
    url = f"sqlite:///{path}"
    if not rebuild and is_complete(path):
        return url

    from hub import create_app
    from hub.demo import seed_demo
    from hub.extensions import db

    path.parent.mkdir(parents=True, exist_ok=True)
    # Per process: two benchmarks started together each build their own, the last rename wins.
    building = path.with_name(f"{path.name}.{os.getpid()}.building")
    for f in _sqlite_files(building):
        f.unlink(missing_ok=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{building}"})
    with app.app_context():
        db.create_all()
        seed_demo("national", seed, progress=True)
        db.session.commit()
        db.session.remove()
        # The last connection to close checkpoints the WAL into the main file.
        db.engine.dispose()
    for f in _sqlite_files(path):
        f.unlink(missing_ok=True)
    os.replace(building, path)
    return url


if __name__ == "__main__":
    started = time.perf_counter()
    result = national_database(rebuild="--rebuild" in sys.argv)
    size_mb = NATIONAL_DB.stat().st_size / 1e6
    print(f"{result} ({size_mb:.0f} MB, {time.perf_counter() - started:.1f} s)")
