"""`flask reports --year` at national scale: time and memory of the whole run.

    python bench/reports.py                    # the national SQLite data set (built once)
    python bench/reports.py --db URL --year N  # any database, any year
    python bench/reports.py --limit 40         # a quicker estimate: 40 fabriques and the network

Runs the command as an operator would, in its own process under /usr/bin/time -v, on
the national demo network (360 fabriques, 3,500 tiers-lieux, 1,000,000 bookings over
three years), into a temporary folder, and prints the wall time, the CPU time, the
memory, the number of PDFs and their total size, and the load average before and after
(issue 14: under 5 minutes and under 500 MB on two cores). With --limit, the wall time
of the whole run is extrapolated from the PDFs' pace.

Memory: /usr/bin/time reports the largest single process; the run forks workers, so
the process tree is also sampled every 0.2 s and the largest sums are printed: of the
resident sets (RSS, counting twice the pages a worker still shares with its parent) and
of the proportional sets (PSS, each shared page split between its sharers: what the
run really holds).
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
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


def _tree(pid: int) -> list[int]:
    """`pid` and every process below it."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            with open(f"/proc/{current}/task/{current}/children") as f:
                todo.extend(int(child) for child in f.read().split())
        except OSError:
            pass
    return found


def _memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB; zeros once it is gone."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


class TreeMemory(threading.Thread):
    """Samples the memory of a process tree until it ends: the peak sums, and the
    peak number of processes."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_rss = self.peak_pss = self.processes = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.2):
            pids = _tree(self.pid)
            sizes = [_memory_kb(pid) for pid in pids]
            self.peak_rss = max(self.peak_rss, sum(s[0] for s in sizes))
            self.peak_pss = max(self.peak_pss, sum(s[1] for s in sizes))
            self.processes = max(self.processes, sum(1 for s in sizes if s[0]))


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="SQLAlchemy URL (default: the national SQLite data set)")
    parser.add_argument("--year", type=int, default=date.today().year)
    parser.add_argument("--jobs", type=int, help="passed to the command (default: its own)")
    parser.add_argument("--limit", type=int, help="passed to the command: the first N fabriques only")
    args = parser.parse_args()
    if args.db:
        url = args.db
    else:
        from bench.common import national_database

        url = national_database()
    flask = Path(sys.executable).with_name("flask")
    load_before = _load()
    with tempfile.TemporaryDirectory() as out:
        command = ["/usr/bin/time", "-v", str(flask), "--app", "app", "reports",
                   "--year", str(args.year), "--out", out]
        if args.jobs:
            command += ["--jobs", str(args.jobs)]
        if args.limit:
            command += ["--limit", str(args.limit)]
        env = {**os.environ, "DATABASE_URL": url}
        process = subprocess.Popen(command, cwd=ROOT, env=env, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        memory = TreeMemory(process.pid)
        memory.start()
        stdout, stderr = process.communicate()
        memory.done.set()
        memory.join()
        if process.returncode != 0:
            sys.stderr.write(stdout + stderr)
            raise SystemExit(process.returncode)
        files = list(Path(out).glob("*.pdf"))
        size = sum(f.stat().st_size for f in files)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    wall = _wall_seconds(stderr)
    user = re.search(r"User time \(seconds\): ([\d.]+)", stderr)
    system = re.search(r"System time \(seconds\): ([\d.]+)", stderr)
    cpu = float(user.group(1)) + float(system.group(1)) if user and system else float("nan")
    print(f"flask reports --year {args.year} on {url.split('?')[0]}"
          + (f" --jobs {args.jobs}" if args.jobs else "") + (f" --limit {args.limit}" if args.limit else ""))
    print(f"  load average before  {load_before}   after  {_load()}   ({os.cpu_count()} cores)")
    print(f"  {len(files)} PDF ({size / 1e6:.1f} MB, {size / max(len(files), 1) / 1e3:.0f} kB each)")
    print(f"  wall time    {wall:.1f} s   (target < 300 s for 360 fabriques and the network)")
    # The command's own timings, "Lecture de l'année : 12,3 s".
    timings = {name: float(seconds.replace(",", "."))
               for name, seconds in re.findall(r"^(\S[^\n]*?) : ([\d,]+) s$", stdout, flags=re.M)}
    for name, seconds in timings.items():
        print(f"    {name:30s} {seconds:6.1f} s")
    rendering = timings.get("PDF")
    if args.limit and rendering and len(files) > 1:
        estimate = wall + rendering * (361 / len(files) - 1)
        print(f"  estimate for 361 PDF at this pace: {estimate:.0f} s")
    print(f"  CPU time     {cpu:.1f} s (user + system, every process)")
    if peak:
        print(f"  memory       largest process {int(peak.group(1)) / 1024:.0f} MB; "
              f"whole tree ({memory.processes} processes) RSS {memory.peak_rss / 1024:.0f} MB, "
              f"PSS {memory.peak_pss / 1024:.0f} MB   (target < 500 MB)")


if __name__ == "__main__":
    main()
