"""Server time of one cross-filter callback's aggregation, p50/p95, on N generated events.

    .venv/bin/python bench/logs_filter.py [--lines 10000000] [--repeats 40]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from models.logs.aggregate import Events, Filters, dashboard, matching_rows
from models.logs.generate import write_log
from models.logs.parse import parse_files


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = write_log(Path(folder) / "access.log", args.lines, seed=2)
        events = Events.from_table(parse_files([path]).table)
    rng = np.random.default_rng(0)
    start, end = events.span
    statuses = np.unique(events.status)
    scenarios = {
        "no filter": lambda: Filters(),
        "status click": lambda: Filters(statuses=(int(rng.choice(statuses)),)),
        "product + range": lambda: Filters(
            products=(str(rng.choice(events.products)),),
            start=int(start + (end - start) * 0.2), end=int(start + (end - start) * 0.6),
        ),
        "hours + category": lambda: Filters(hours=(9, 10, 11), categories=(str(rng.choice(events.categories)),)),
    }
    print(f"{len(events):,} events")
    for name, make in scenarios.items():
        times = []
        for _ in range(args.repeats):
            filters = make()
            began = time.perf_counter()
            dashboard(events, filters, "hour")
            matching_rows(events, filters, 0, 100)
            times.append((time.perf_counter() - began) * 1000)
        print(f"{name:>18}: p50 {np.percentile(times, 50):7.1f} ms   p95 {np.percentile(times, 95):7.1f} ms")


if __name__ == "__main__":
    main()
