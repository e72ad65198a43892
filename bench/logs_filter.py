"""Server time of one cross-filter click on the logs page, p50/p95 per kind of click, on N generated events.

    .venv/bin/python bench/logs_filter.py [--lines 10000000] [--repeats 40] [--aggregation-only] [--no-duckdb]

By default each click times the page's whole render callback the way the browser calls it: a POST
to Dash's ``/_dash-update-component`` on the registered app (Flask's test client, no network),
so Dash's dispatch, the aggregation, the figures, the grid's rows and the JSON response are all
in. ``--aggregation-only`` times ``dashboard`` plus one page of ``matching_rows`` instead, what
the callback aggregates. A peer line per click answers the same views with DuckDB from the same
Parquet file (``pip install -e ".[bench]"``): the time series, days, hours, products, categories,
statuses, heatmap and stats, each under every filter but its own, and one page of rows.

The log is generated and parsed once (cached as Parquet under ``--cache``, so a second run starts
in seconds); the app opens it as a stored upload, and its first open is timed apart. The last
line reads ``worst p95 <N> ms (whole render callback, <events> events)``.
"""

from __future__ import annotations

import argparse
import atexit
import hashlib
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from models.logs.aggregate import GRANULARITY_S, Events, Filters, dashboard, matching_rows
from models.logs.generate import write_log
from models.logs.parse import parse_files


def load(lines: int, cache: Path) -> tuple[Events, Path]:
    path = cache / f"bench-{lines}.parquet"
    if not path.exists():
        with tempfile.TemporaryDirectory() as folder:
            began = time.perf_counter()
            table = parse_files([write_log(Path(folder) / "access.log", lines, seed=2)]).table
            print(f"generated and parsed {lines:,} lines in {time.perf_counter() - began:.1f} s")
        cache.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path)
    return Events.from_table(pq.read_table(path)), path


def scenarios(events: Events, rng: np.random.Generator) -> dict:
    start, end = events.span
    statuses = np.unique(events.status)
    days = np.unique(events.ts // 86400)

    def day() -> str:
        return str(np.datetime64(int(rng.choice(days)), "D"))

    def window(lo: float, hi: float) -> dict:
        a, b = sorted(rng.uniform(lo, hi, 2))
        return {"start": int(start + (end - start) * a), "end": int(start + (end - start) * b)}

    def status() -> dict:
        return {"statuses": [int(rng.choice(statuses))]}

    found = {
        "no filter": lambda: ({}, "hour", 0),
        "status click": lambda: (status(), "hour", 0),
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
        "status, page 20": lambda: (status(), "hour", 20),
    }
    for granularity in GRANULARITY_S:  # every granularity, unfiltered and filtered
        found[f"no filter, {granularity}"] = lambda g=granularity: ({}, g, 0)
        found[f"status, by {granularity}"] = lambda g=granularity: (status(), g, 0)
        found[f"range, by {granularity}"] = lambda g=granularity: (window(0.1, 0.9), g, 0)
    return found


def aggregation_runner(events: Events):
    def run(filters: dict, granularity: str, page: int) -> None:
        chosen = Filters.from_dict(filters)
        dashboard(events, chosen, granularity)
        matching_rows(events, chosen, page * 100, 100)

    return run


def app_with_source(parquet: Path):
    """The app on a fresh data folder where the cached Parquet is a stored upload; returns it and the source id."""
    from webapp import create_app

    folder = Path(tempfile.mkdtemp())
    atexit.register(shutil.rmtree, folder, ignore_errors=True)  # the store is ~1.3 GB at 10M events
    # Stored where and as an upload is (``models.files.store_by_content`` names uploads by content).
    digest = hashlib.sha256(f"{parquet.resolve()}:{parquet.stat().st_mtime_ns}".encode()).hexdigest()[:16]
    source = f"upload-{digest}"
    (folder / "logs").mkdir()
    (folder / "logs" / f"{source}.parquet").symlink_to(parquet.resolve())
    from models.logs.sources import load_events

    load_events(source, folder)  # into the store, as the page's prepare job does: render and clicks never parse
    return create_app({"DATA_DIR": str(folder), "TESTING": True}), source


def callback_runner(parquet: Path):
    """POST the page's render callback to the app as the browser does; returns ``run`` and the first open's seconds."""
    app, source = app_with_source(parquet)
    client = app.server.test_client()
    dep = next(
        d
        for d in client.get("/_dash-dependencies").get_json()
        if "logs-timeseries.figure" in d["output"] and "@" not in d["output"]
    )
    outputs = []
    for part in dep["output"].strip(".").split("..."):
        component, _, prop = part.rpartition(".")
        outputs.append({"id": component, "property": prop})

    def run(filters: dict, granularity: str, page: int) -> None:
        view = {
            "source": source,
            "granularity": granularity,
            "page": page,
            "filters": Filters.from_dict(filters).to_dict(),
        }
        values = {("logs-view", "data"): view}
        payload = {
            "output": dep["output"],
            "outputs": outputs,
            "inputs": [{**i, "value": values.get((i["id"], i["property"]))} for i in dep["inputs"]],
            "state": [{**i, "value": values.get((i["id"], i["property"]))} for i in dep["state"]],
            "changedPropIds": ["logs-view.data"],
        }
        response = client.post("/_dash-update-component", json=payload)
        assert response.status_code == 200, response.data[:300]
        assert b"logs-timeseries" in response.data, response.data[:300]  # drawn, not an error message

    began = time.perf_counter()
    run({}, "hour", 0)  # the first click opens the source (parses nothing: it is stored)
    return run, time.perf_counter() - began


def duckdb_runner(parquet: Path, events: Events):
    """The same views answered by DuckDB from the same Parquet, each under every filter but its own."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"CREATE VIEW events AS SELECT * FROM read_parquet('{parquet}')")
    products = {str(p) for p in events.products}

    def quoted(values) -> str:
        return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)

    def where(filters: dict, skip: str | None = None) -> str:
        parts = []
        if filters.get("start") is not None and skip != "range":
            parts.append(f"epoch(ts) >= {int(filters['start'])}")
        if filters.get("end") is not None and skip != "range":
            parts.append(f"epoch(ts) < {int(filters['end'])}")
        if filters.get("days") and skip != "days":
            parts.append(f"strftime(ts, '%Y-%m-%d') IN ({quoted(filters['days'])})")
        if filters.get("hours") and skip != "hours":
            parts.append(f"hour(ts) IN ({', '.join(str(int(h)) for h in filters['hours'])})")
        if filters.get("products") and skip != "products":
            parts.append(f"product IN ({quoted(p for p in filters['products'] if p in products) or 'NULL'})")
        if filters.get("categories") and skip != "categories":
            parts.append(f"category IN ({quoted(filters['categories'])})")
        if filters.get("statuses") and skip != "statuses":
            parts.append(f"status IN ({', '.join(str(int(s)) for s in filters['statuses'])})")
        return " AND ".join(parts) or "TRUE"

    def run(filters: dict, granularity: str, page: int) -> None:
        width = GRANULARITY_S[granularity]
        errors = "count(*) FILTER (WHERE status >= 400)"
        queries = [
            # the time series: every filter but the range, over the whole log
            f"SELECT epoch(ts)::BIGINT // {width} AS b, count(*), {errors} FROM events WHERE {where(filters, 'range')} GROUP BY b",
            f"SELECT strftime(ts, '%Y-%m-%d') AS d, count(*), {errors} FROM events WHERE {where(filters, 'days')} GROUP BY d",
            f"SELECT hour(ts) AS h, count(*), {errors} FROM events WHERE {where(filters, 'hours')} GROUP BY h",
            f"SELECT product, count(*) AS n, {errors} FROM events WHERE {where(filters, 'products')} GROUP BY product ORDER BY n DESC",
            f"SELECT category, count(*), {errors} FROM events WHERE {where(filters, 'categories')} GROUP BY category",
            f"SELECT status, count(*) FROM events WHERE {where(filters, 'statuses')} GROUP BY status",
            f"SELECT isodow(ts) AS d, hour(ts) AS h, count(*) FROM events WHERE {where(filters)} GROUP BY d, h",
            f"SELECT count(*), {errors}, count(*) FILTER (WHERE status >= 500), sum(bytes) FROM events WHERE {where(filters)}",
            f"SELECT * FROM events WHERE {where(filters)} ORDER BY ts DESC, line DESC LIMIT 100 OFFSET {page * 100}",
        ]
        for query in queries:
            con.execute(query).fetchall()

    return run


def percentiles(run, make, repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        filters, granularity, page = make()
        began = time.perf_counter()
        run(filters, granularity, page)
        times.append((time.perf_counter() - began) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 95))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--aggregation-only", action="store_true", help="time dashboard + one page of rows only")
    parser.add_argument("--no-duckdb", action="store_true", help="leave out the DuckDB peer line")
    parser.add_argument("--duckdb-repeats", type=int, default=5, help="DuckDB is slower: fewer clicks of each kind")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "glassbox-bench")
    args = parser.parse_args()
    events, parquet = load(args.lines, args.cache)
    began = time.perf_counter()
    cube = events.cube
    print(f"{len(events):,} events; cube of {len(cube):,} cells built in {(time.perf_counter() - began) * 1000:.0f} ms")
    if args.aggregation_only:
        run, what = aggregation_runner(events), "dashboard + one page of rows"
    else:
        run, opened = callback_runner(parquet)
        what = "whole render callback"
        print(f"first click, the app opening the stored source: {opened:.1f} s")
    peer = None
    if not args.no_duckdb:
        try:
            peer = duckdb_runner(parquet, events)
        except ImportError:
            print("(DuckDB not installed: pip install -e '.[bench]' for the peer line)")
    rng = np.random.default_rng(0)
    for granularity in GRANULARITY_S:  # warm what a first click at each granularity builds
        run({}, granularity, 0)
    print(f"{'':>20}   {'p50':>9}   {'p95':>9}   ({what}){'   DuckDB p50 / p95' if peer else ''}")
    worst = 0.0
    for name, make in scenarios(events, rng).items():
        p50, p95 = percentiles(run, make, args.repeats)
        worst = max(worst, p95)
        line = f"{name:>20}: {p50:6.1f} ms   {p95:6.1f} ms"
        if peer:
            d50, d95 = percentiles(peer, make, args.duckdb_repeats)
            line += f"   {d50:8.1f} / {d95:8.1f} ms"
        print(line, flush=True)
    print(f"worst p95 {worst:.0f} ms ({what}, {len(events)} events)")


if __name__ == "__main__":
    main()
