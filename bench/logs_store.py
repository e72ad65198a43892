"""The logs store at N generated events: parse once, then every worker maps the same files.

    .venv/bin/python bench/logs_store.py [--lines 10000000] [--workers 3] [--before-workers 2]

Prints, for one generated access log of ``--lines`` lines (kept under ``--cache``):

- parse+store: parsing the file into its store (``models.logs.follow.stored_snapshot``, what the page's
  background job does), then the first dashboard from it: the cold open of a server log;
- open from the store with a cold page cache (the store's pages dropped with ``posix_fadvise``) and warm;
- RSS, USS and PSS (``psutil.Process.memory_full_info``) of 1, 2, ... worker processes that each open the
  store and answer ``dashboard()`` at hour and minute granularity, kept alive together;
- the same for today's per-process load (each worker parses the file itself: ``--before-workers``).

Times are wall-clock on whatever else the machine is doing: the load average is printed with them.
USS is what a process holds alone; pages of the mapped store shared by several workers count in their RSS
and PSS, not their USS. The last line is a summary.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
MB = 1 << 20


def _dashboards(events) -> float:
    from models.logs.aggregate import Filters, dashboard

    began = time.perf_counter()
    dashboard(events, Filters(), "hour")
    dashboard(events, Filters(), "minute")
    return time.perf_counter() - began


def worker(mode: str, log: str, store: str) -> None:
    """One worker process: load the events (from the store, or by parsing), answer dashboards, wait."""
    from models.logs.aggregate import Events
    from models.logs.follow import stored_snapshot
    from models.logs.parse import parse_files

    began = time.perf_counter()  # after the imports every worker pays anyway
    if mode == "store":
        events = stored_snapshot(log, store, parse=False).events
    else:
        events = Events.from_table(parse_files([log]).table)
    opened = time.perf_counter() - began
    answered = _dashboards(events)
    print(f"ready {opened:.3f} {answered:.3f}", flush=True)
    sys.stdin.readline()  # the parent measures memory, then says quit


def _memory(pid: int) -> tuple[float, float, float]:
    info = psutil.Process(pid).memory_full_info()
    return info.rss / MB, info.uss / MB, info.pss / MB


def workers(mode: str, log: Path, store: Path, count: int) -> list[str]:
    """Start ``count`` workers one after the other, all alive at the end; one line per worker count."""
    lines, procs = [], []
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        for n in range(1, count + 1):
            proc = subprocess.Popen(
                [sys.executable, __file__, "--worker", mode, str(log), str(store)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env=env,
            )
            procs.append(proc)
            ready = proc.stdout.readline().split()
            if not ready or ready[0] != "ready":
                raise RuntimeError(f"worker {n} failed")
            memory = [_memory(p.pid) for p in procs]
            uss = [m[1] for m in memory]
            lines.append(
                f"{mode:>6} {n} worker(s): load {float(ready[1]):6.2f} s, 2 dashboards {float(ready[2]) * 1000:5.0f} ms;"
                f" RSS {' + '.join(f'{m[0]:.0f}' for m in memory)} MB;"
                f" USS {' + '.join(f'{u:.0f}' for u in uss)} = {sum(uss):.0f} MB;"
                f" PSS total {sum(m[2] for m in memory):.0f} MB"
            )
            print(lines[-1], flush=True)
        return lines
    finally:
        for proc in procs:
            try:
                proc.stdin.write("quit\n")
                proc.stdin.flush()
            except OSError:
                pass
            proc.wait(timeout=60)


def drop_page_cache(folder: Path) -> None:
    """Evict the store's files from the page cache (no root needed): the next open reads the disk."""
    for path in folder.rglob("*"):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--before-workers", type=int, default=2, help="per-process loads to compare (0: skip)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "glassbox-bench")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return

    from models.logs import columnar
    from models.logs.aggregate import Filters, dashboard
    from models.logs.follow import stored_snapshot
    from models.logs.generate import write_log

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    log = args.cache / f"store-bench-{args.lines}.log"
    if not log.exists():
        began = time.perf_counter()
        write_log(log, args.lines, seed=2)
        print(
            f"generated {args.lines:,} lines ({log.stat().st_size / MB:,.0f} MB) in {time.perf_counter() - began:.1f} s"
        )
    with tempfile.TemporaryDirectory(dir=args.cache) as folder:
        store = Path(folder)
        began = time.perf_counter()
        snap = stored_snapshot(log, store)
        stored = time.perf_counter() - began
        dashboard(snap.events, Filters(), "hour")
        first = time.perf_counter() - began
        (store_dir,) = [p for p in store.iterdir() if p.is_dir()]
        size = sum(p.stat().st_size for p in store_dir.iterdir()) / MB
        print(
            f"parse+store {stored:.1f} s ({len(snap.events):,} events, store {size:,.0f} MB); first dashboard {first:.1f} s"
        )
        del snap

        columnar._opened.clear()  # as a fresh worker: nothing opened in this process
        drop_page_cache(store_dir)
        began = time.perf_counter()
        events = columnar.open_store(store_dir).events
        cold_open = time.perf_counter() - began
        began = time.perf_counter()
        dashboard(events, Filters(), "hour")
        cold_dash = time.perf_counter() - began
        columnar._opened.clear()
        began = time.perf_counter()
        columnar.open_store(store_dir)
        warm_open = time.perf_counter() - began
        print(
            f"open from the store: cold page cache {cold_open * 1000:.0f} ms (+ first dashboard {cold_dash * 1000:.0f} ms),"
            f" warm {warm_open * 1000:.0f} ms"
        )
        del events
        after = workers("store", log, store, args.workers)
        before = workers("parse", log, store, args.before_workers) if args.before_workers else []

    def added(lines: list[str]) -> str:
        """What the last worker added to the total USS (a lone worker: all of it)."""
        totals = [float(line.split(" = ")[1].split(" MB")[0]) for line in lines]
        return f"{totals[-1] - (totals[-2] if len(totals) > 1 else 0):.0f}" if totals else "n/a"

    print(
        f"{args.lines:,} events: parse+store {stored:.1f} s, first dashboard {first:.1f} s, open cold {cold_open * 1000:.0f} ms"
        f" / warm {warm_open * 1000:.0f} ms, extra worker +{added(after)} MB USS (per-process load: +{added(before)} MB)"
    )


if __name__ == "__main__":
    main()
