"""Commune autocomplete: p50/p95 of a search over the ~35,000 current communes.

    .venv/bin/python bench/communes.py [--queries 400] [--seed 12]

Queries are what people type into the picker, drawn from the communes themselves
(seeded, so runs compare): the first 2 to 8 letters of a name, whole names without
accents or with "st" for "Saint", a later word ("ceze"), postal codes and their first
digits, INSEE codes. Each query is timed twice: the search function alone, and the
whole `GET /communes?q=` request through Flask's test client (the server's time,
JSON included), in wall-clock and in CPU time. The one-off load of the data is timed
apart.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hub.reference import communes  # noqa: E402


def queries(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    pool = communes.every_commune()
    # People mostly look for towns with people in them: weight by population, plus
    # a uniform share for the villages.
    weights = [c.population + 500 for c in pool]
    out: list[str] = []
    while len(out) < count:
        c = rng.choices(pool, weights)[0]
        kind = rng.random()
        if kind < 0.45:
            out.append(c.name[: rng.randint(2, 8)])
        elif kind < 0.6:
            out.append(communes.normalize(c.name))
        elif kind < 0.7:
            out.append(c.name.replace("Saint-", "st ").replace("Sainte-", "ste ").lower())
        elif kind < 0.8:
            words = c.name.replace("-", " ").split()
            out.append(rng.choice(words)[:6] if len(words) > 1 else c.name[:3])
        elif kind < 0.9 and c.postal_codes:
            code = rng.choice(c.postal_codes)
            out.append(code[: rng.randint(2, 5)])
        else:
            out.append(c.code)
    return [q for q in out if len(q.strip()) >= 2]


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return f"p50 {p(0.50):6.2f} ms   p95 {p(0.95):6.2f} ms   max {ordered[-1] * 1000:6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()

    start = time.perf_counter()
    communes.commune("29039")
    print(f"load (once per process): {(time.perf_counter() - start) * 1000:.0f} ms, "
          f"{len(communes.every_commune())} communes")

    qs = queries(args.queries, args.seed)
    timings = []
    for q in qs:
        start = time.perf_counter()
        communes.search(q, limit=20)
        timings.append(time.perf_counter() - start)
    print(f"search(q, limit=20)  x{len(qs)}: {percentiles(timings)}")

    from hub import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
    client = app.test_client()
    timings, cpu = [], []
    for q in qs:
        start, start_cpu = time.perf_counter(), time.thread_time()
        response = client.get("/communes", query_string={"q": q})
        timings.append(time.perf_counter() - start)
        cpu.append(time.thread_time() - start_cpu)
        assert response.status_code == 200, (q, response.status_code)
    print(f"GET /communes?q=     x{len(qs)}: {percentiles(timings)}")
    # The CPU time of the request's thread leaves out the waits for a core, which a
    # loaded machine adds to the wall-clock figures above.
    print(f"  same, CPU time only     : {percentiles(cpu)}")
    slowest = sorted(zip(timings, qs), reverse=True)[:3]
    print("slowest requests:", ", ".join(f"{q!r} {t * 1000:.1f} ms" for t, q in slowest))


if __name__ == "__main__":
    main()
