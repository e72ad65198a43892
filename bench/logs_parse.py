"""Parse speed: Glassbox's parser against GoAccess on the same generated combined-format file.

    .venv/bin/python bench/logs_parse.py [--lines 1000000 10000000]

GoAccess (Debian package ``goaccess``) is timed only when it is installed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
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
        check=True, capture_output=True,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, nargs="+", default=[1_000_000, 10_000_000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for n in args.lines:
            path = write_log(Path(folder) / f"access-{n}.log", n, seed=1)
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
