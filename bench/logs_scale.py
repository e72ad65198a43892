"""Logs beyond one machine's memory: a Parquet dataset of N events, its cube built on Dask, clicks and table pages.

    .venv/bin/python bench/logs_scale.py [--events 100000000] [--workers 2] [--threads 1] [--memory-limit 4GiB]

1. ``python -m models.logs generate-parquet`` writes N events (seeded; kept under ``--cache`` and reused).
2. A separate process builds the dataset's cube on a LocalCluster, as the app's background job does, and
   reports its time and the peak RSS of the scheduler (that process) and of each worker.
3. This process plays the web process: it opens the stored cube (``open_dataset``), times clicks
   (``dashboard`` from the cube under random filters, every granularity) and table pages (``matching_rows``,
   which read only the row groups holding the page), and reports its own peak RSS (goal: at most 1 GB).

The last line reads ``<N>M events: cube <s> s, click p95 <ms> ms, rows p95 <ms> ms, web peak RSS <MB> MB``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def peak_rss_mb() -> int:
    """This process's peak resident memory (VmHWM)."""
    from models.logs.__main__ import peak_rss_mb as peak

    return peak()


def generate(events: int, folder: Path) -> None:
    marker = folder / "GENERATED"
    if marker.exists() and marker.read_text() == str(events):
        print(f"reusing {events:,} events in {folder}")
        return
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "models.logs", "generate-parquet", "--events", str(events), "--seed", "2"]
        + ["--out", str(folder)],
        check=True,
        cwd=ROOT,
    )
    marker.write_text(str(events))
    print(f"generated in {time.perf_counter() - began:.1f} s")


def build(folder: Path, data_dir: Path, options: dict) -> dict:
    """In a child process (the app's job): build and store the cube; scheduler and worker peak RSS."""
    from distributed import get_worker  # noqa: F401  (fails early without Dask)

    from models.logs.dataset import build_cube, read_index, save_cube, source_id
    from models.logs.distributed import connect

    began = time.perf_counter()
    index = read_index(str(folder))
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 10 or done == total:
            last[0] = time.perf_counter()
            print(f"  cube: {done}/{total} parts", flush=True)

    with connect(None, **options) as client:
        cube = build_cube(str(folder), client, progress, index=index)
        workers = client.run(peak_rss_mb)
        scheduler = client.run_on_scheduler(peak_rss_mb)
    save_cube(cube, data_dir)
    return {
        "seconds": time.perf_counter() - began,
        "cells": cube.cells,
        "source": source_id(str(folder)),
        "scheduler_rss_mb": scheduler,
        "worker_rss_mb": sorted(workers.values()),
    }


def clicks(folder: Path, data_dir: Path, repeats: int) -> tuple[list[float], list[float], int]:
    from models.logs.aggregate import Filters, dashboard, matching_rows
    from models.logs.dataset import normalise, open_dataset, source_id

    began = time.perf_counter()
    events = open_dataset(source_id(normalise(str(folder))), [str(folder)], data_dir)
    print(f"web: opened the stored cube in {(time.perf_counter() - began) * 1000:.0f} ms ({len(events):,} events)")
    rng = np.random.default_rng(0)
    start, end = events.span
    statuses = np.unique(events.cube.status)
    days = np.unique(events.cube.hour // 24)

    def window(lo: float, hi: float) -> dict:
        a, b = sorted(rng.uniform(lo, hi, 2))
        return {"start": int(start + (end - start) * a), "end": int(start + (end - start) * b)}

    kinds = [
        lambda: {},
        lambda: {"statuses": [int(rng.choice(statuses))]},
        lambda: {"products": [str(rng.choice(events.products))]},
        lambda: {"categories": [str(rng.choice(events.categories))]},
        lambda: {"days": [str(np.datetime64(int(rng.choice(days)), "D"))]},
        lambda: {"hours": [int(rng.integers(24))]},
        lambda: window(0, 1),
        lambda: {"products": [str(rng.choice(events.products))], **window(0.2, 0.6)},
    ]
    for granularity in ("hour", "minute", "day"):  # warm what a first click builds (the minute cube)
        dashboard(events, Filters(), granularity)
    click_ms, rows_ms = [], []
    for i in range(repeats):
        filters = Filters.from_dict(kinds[i % len(kinds)]())
        granularity = ("hour", "minute", "day")[i % 3]
        began = time.perf_counter()
        data = dashboard(events, filters, granularity)
        click_ms.append((time.perf_counter() - began) * 1000)
        page = int(rng.integers(0, max(1, min(data["matching"] // 100, 1000))))
        began = time.perf_counter()
        matching_rows(events, filters, page * 100, 100)
        rows_ms.append((time.perf_counter() - began) * 1000)
    return click_ms, rows_ms, peak_rss_mb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--memory-limit", default="4GiB")
    parser.add_argument("--repeats", type=int, default=60)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "glassbox-bench")
    parser.add_argument("--build-only", nargs=2, metavar=("DATASET", "DATA_DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    options = {
        "n_workers": args.workers,
        "threads_per_worker": args.threads,
        "memory_limit": args.memory_limit,
        "processes": True,
        "dashboard_address": None,
    }
    if args.build_only:  # the child process of step 2
        print(json.dumps(build(Path(args.build_only[0]), Path(args.build_only[1]), options)))
        return

    folder = args.cache / f"scale-{args.events}"
    generate(args.events, folder)
    data_dir = Path(tempfile.mkdtemp(prefix="glassbox-scale-"))
    child = [sys.executable, __file__, "--events", str(args.events), "--workers", str(args.workers)]
    child += ["--threads", str(args.threads), "--memory-limit", args.memory_limit]
    done = subprocess.run(
        child + ["--build-only", str(folder), str(data_dir)], check=True, cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    lines = done.stdout.strip().splitlines()
    print("\n".join(lines[:-1]))
    built = json.loads(lines[-1])
    print(
        f"cube: {built['cells']:,} cells in {built['seconds']:.1f} s on {args.workers} workers × {args.threads} "
        f"threads; peak RSS scheduler {built['scheduler_rss_mb']:,} MB, workers "
        f"{', '.join(f'{mb:,}' for mb in built['worker_rss_mb'])} MB"
    )
    click_ms, rows_ms, web_mb = clicks(folder, data_dir, args.repeats)
    print(
        f"click (dashboard from the cube): p50 {np.percentile(click_ms, 50):.1f} ms, p95 {np.percentile(click_ms, 95):.1f} ms"
    )
    print(
        f"table page (row groups read):     p50 {np.percentile(rows_ms, 50):.1f} ms, p95 {np.percentile(rows_ms, 95):.1f} ms"
    )
    print(
        f"{args.events / 1e6:g}M events: cube {built['seconds']:.1f} s, click p95 {np.percentile(click_ms, 95):.0f} ms, "
        f"rows p95 {np.percentile(rows_ms, 95):.0f} ms, web peak RSS {web_mb:,} MB"
    )


if __name__ == "__main__":
    main()
