"""Server time of one cross-filter click, p50/p95 per kind of click, on N generated events.

    .venv/bin/python bench/logs_filter.py [--lines 10000000] [--repeats 40] [--callback]

The log is generated and parsed once (cached as Parquet under ``--cache``, so a second run
starts in seconds); the one-off cost of building ``Events`` and its cube is printed apart.
Each click times ``dashboard`` plus one page of ``matching_rows``, what the page's callback
aggregates; ``--callback`` times the page's whole ``render`` callback instead, figures and
their JSON encoding included (as a plain function, in a Flask app context, no browser).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from models.logs.aggregate import Events, Filters, dashboard, matching_rows
from models.logs.generate import write_log
from models.logs.parse import parse_files


def load(lines: int, cache: Path) -> Events:
    path = cache / f"bench-{lines}.parquet"
    if not path.exists():
        with tempfile.TemporaryDirectory() as folder:
            began = time.perf_counter()
            table = parse_files([write_log(Path(folder) / "access.log", lines, seed=2)]).table
            print(f"generated and parsed {lines:,} lines in {time.perf_counter() - began:.1f} s")
        cache.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path)
    return Events.from_table(pq.read_table(path))


def scenarios(events: Events, rng: np.random.Generator) -> dict:
    start, end = events.span
    statuses = np.unique(events.status)
    days = np.unique(events.ts // 86400)

    def day() -> str:
        return str(np.datetime64(int(rng.choice(days)), "D"))

    def window(lo: float, hi: float) -> dict:
        a, b = sorted(rng.uniform(lo, hi, 2))
        return {"start": int(start + (end - start) * a), "end": int(start + (end - start) * b)}

    return {
        "no filter": lambda: ({}, "hour", 0),
        "status click": lambda: ({"statuses": [int(rng.choice(statuses))]}, "hour", 0),
        "product click": lambda: ({"products": [str(rng.choice(events.products))]}, "hour", 0),
        "category click": lambda: ({"categories": [str(rng.choice(events.categories))]}, "hour", 0),
        "day click": lambda: ({"days": [day()]}, "hour", 0),
        "hour click": lambda: ({"hours": [int(rng.integers(24))]}, "hour", 0),
        "range drag": lambda: (window(0, 1), "hour", 0),
        "product + range": lambda: ({"products": [str(rng.choice(events.products))], **window(0.2, 0.6)}, "hour", 0),
        "hours + category": lambda: (
            {"hours": [9, 10, 11], "categories": [str(rng.choice(events.categories))]},
            "hour",
            0,
        ),
        "status, page 20": lambda: ({"statuses": [int(rng.choice(statuses))]}, "hour", 20),
        "status, by day": lambda: ({"statuses": [int(rng.choice(statuses))]}, "day", 0),
        "status, by minute": lambda: ({"statuses": [int(rng.choice(statuses))]}, "minute", 0),
        "no filter, minute": lambda: ({}, "minute", 0),
    }


def aggregate_once(events: Events, filters: dict, granularity: str, page: int) -> None:
    chosen = Filters.from_dict(filters)
    dashboard(events, chosen, granularity)
    matching_rows(events, chosen, page * 100, 100)


def callback_runner(events: Events):
    """The page's ``render`` as a plain function, on these events, in an app context."""
    from dash._utils import to_json

    from models.logs import sources
    from webapp import create_app

    folder = tempfile.mkdtemp()
    app = create_app({"DATA_DIR": folder, "TESTING": True})
    from webapp.pages import logs  # pages register themselves once the app exists

    sources._cache[("bench", folder)] = events

    def run(filters: dict, granularity: str, page: int) -> None:
        with app.server.app_context():
            view = {
                "source": "bench",
                "granularity": granularity,
                "page": page,
                "filters": Filters.from_dict(filters).to_dict(),
            }
            to_json(logs.render(view, None, None))  # the response body Dash would send

    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--callback", action="store_true", help="time the page's whole render callback")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "glassbox-bench")
    args = parser.parse_args()
    events = load(args.lines, args.cache)
    began = time.perf_counter()
    cube = events.cube
    print(f"{len(events):,} events; cube of {len(cube):,} cells built in {(time.perf_counter() - began) * 1000:.0f} ms")
    run = callback_runner(events) if args.callback else lambda *a: aggregate_once(events, *a)
    rng = np.random.default_rng(0)
    run({}, "hour", 0)  # warm caches a first click would build
    run({}, "minute", 0)
    print(
        f"{'':>18}   {'p50':>9}   {'p95':>9}   ({'whole render callback' if args.callback else 'dashboard + one page of rows'})"
    )
    for name, make in scenarios(events, rng).items():
        times = []
        for _ in range(args.repeats):
            filters, granularity, page = make()
            began = time.perf_counter()
            run(filters, granularity, page)
            times.append((time.perf_counter() - began) * 1000)
        print(f"{name:>18}: {np.percentile(times, 50):6.1f} ms   {np.percentile(times, 95):6.1f} ms")


if __name__ == "__main__":
    main()
