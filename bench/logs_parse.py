"""Parse speed: Glassbox's parser against GoAccess on the same generated combined-format file.

    .venv/bin/python bench/logs_parse.py [--lines 1000000 10000000]
    .venv/bin/python bench/logs_parse.py --out [--lines 4000000]

GoAccess (Debian package ``goaccess``) is timed only when it is installed. With ``--out``, the
in-memory parse and the chunked one into a Parquet dataset each run in a fresh process
(``python -m models.logs parse``), and their lines/s and peak memory (max RSS) are printed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from models.logs.generate import write_log
from models.logs.parse import parse_files


def time_goaccess(path: Path) -> float | None:
    if shutil.which("goaccess") is None:
        return None
    started = time.perf_counter()
    subprocess.run(
        ["goaccess", str(path), "--log-format=COMBINED", "-o", "/dev/null", "--output-format=json", "--no-progress"],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def parse_in_child(path: Path, out: Path | None = None) -> dict:
    """``python -m models.logs parse --json`` in a new process, so its peak RSS is this parse's alone."""
    command = [sys.executable, "-m", "models.logs", "parse", str(path), "--json"] + (["--out", str(out)] if out else [])
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, nargs="+", default=None)
    parser.add_argument("--out", action="store_true", help="compare in-memory and chunked-to-Parquet parses")
    args = parser.parse_args()
    sizes = args.lines or ([4_000_000] if args.out else [1_000_000, 10_000_000])
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            path = write_log(Path(folder) / f"access-{n}.log", n, seed=1)
            if args.out:
                size_mb = path.stat().st_size / 2**20
                for label, out in (("in memory", None), ("to parquet", Path(folder) / "events")):
                    summary = parse_in_child(path, out)
                    print(
                        f"{n:>11,} lines ({size_mb:,.0f} MB)  {label:<10}  {n / summary['seconds']:>12,.0f} lines/s "
                        f"({summary['seconds']:.2f} s)  peak RSS {summary['max_rss_mb']:>6,} MB",
                        flush=True,
                    )
                shutil.rmtree(Path(folder) / "events", ignore_errors=True)
            else:
                result = parse_files([path])
                ours = result.seconds
                theirs = time_goaccess(path)
                line = f"{n:>11,} lines  glassbox {n / ours:>12,.0f} lines/s ({ours:.2f} s)"
                if theirs is not None:
                    line += f"  goaccess {n / theirs:>10,.0f} lines/s ({theirs:.2f} s)  ratio {theirs / ours:.1f}x"
                else:
                    line += "  goaccess not installed (apt-get install goaccess)"
                print(line, flush=True)
            path.unlink()


if __name__ == "__main__":
    main()
