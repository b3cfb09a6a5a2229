"""`flask reports --year` at national scale: time and peak memory of the whole run.

    python bench/reports.py                    # the national SQLite data set (built once)
    python bench/reports.py --db URL --year N  # any database, any year

Runs the command as an operator would, in its own process under /usr/bin/time -v, on
the national demo network (360 fabriques, 3,500 tiers-lieux, 1,000,000 bookings over
three years), into a temporary folder, and prints the wall time, the peak resident
memory, the number of PDFs and their total size (issue 14: under 5 minutes and under
500 MB on two cores).
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _wall_seconds(text: str) -> float:
    """`Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02.34` in seconds."""
    found = re.search(r"Elapsed \(wall clock\) time.*: ([\d:.]+)", text)
    if not found:
        return float("nan")
    seconds = 0.0
    for part in found.group(1).split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="SQLAlchemy URL (default: the national SQLite data set)")
    parser.add_argument("--year", type=int, default=date.today().year)
    args = parser.parse_args()
    if args.db:
        url = args.db
    else:
        from bench.common import national_database

        url = national_database()
    flask = Path(sys.executable).with_name("flask")
    with tempfile.TemporaryDirectory() as out:
        command = ["/usr/bin/time", "-v", str(flask), "--app", "app", "reports",
                   "--year", str(args.year), "--out", out]
        env = {**os.environ, "DATABASE_URL": url}
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit(done.returncode)
        files = list(Path(out).glob("*.pdf"))
        size = sum(f.stat().st_size for f in files)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    wall = _wall_seconds(done.stderr)
    print(f"flask reports --year {args.year} on {url.split('?')[0]}")
    print(f"  {len(files)} PDF ({size / 1e6:.1f} MB, {size / max(len(files), 1) / 1e3:.0f} kB each)")
    print(f"  wall time    {wall:.1f} s   (target < 300 s)")
    if peak:
        print(f"  peak memory  {int(peak.group(1)) / 1024:.0f} MB   (target < 500 MB)")
    cpu = re.search(r"Percent of CPU this job got: (\d+)%", done.stderr)
    if cpu:
        print(f"  CPU          {cpu.group(1)} %")


if __name__ == "__main__":
    main()
