"""Train → first epoch: seconds from handing a run to the trainer until its first epoch's progress arrives.

This is the part of the page's click → first point that the server controls (the browser adds one progress
poll, 0.5–1 s). The trainer is the fresh interpreter ``webapp.nn_jobs`` starts per run, so each run pays the
interpreter's and TensorFlow's start-up before epoch 1; the script prints the median over a few runs, and the
same for the second epoch, whose gap is the epoch itself.

    .venv/bin/python bench/nn_first_epoch.py [--repeats 3] [--rows 2000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.nn.spec import default_spec
from webapp.nn_jobs import train_in_fresh_process


def one_run(folder: Path, rows: int) -> tuple[float, float]:
    """(seconds to the first epoch's progress, seconds between the first and the second)."""
    spec = {**default_spec(), "epochs": 2, "batch_size": 256}
    seen: list[float] = []
    start = time.perf_counter()
    result = train_in_fresh_process(
        f"sqlite:///{folder / 'bench.db'}",
        str(folder),
        None,
        f"black-scholes?rows={rows}&seed=0",
        spec,
        str(folder / "stop"),
        lambda *_: seen.append(time.perf_counter() - start),
    )
    if "error" in result or len(seen) < 2:
        raise SystemExit(f"training failed: {result}")
    return seen[0], seen[1] - seen[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        runs = [one_run(Path(tmp), args.rows) for _ in range(args.repeats)]
    first = statistics.median(r[0] for r in runs)
    epoch = statistics.median(r[1] for r in runs)
    print(
        f"train → first epoch: median {first:.2f} s over {args.repeats} runs (each: {[round(r[0], 2) for r in runs]})"
    )
    print(f"one epoch afterwards: median {epoch:.2f} s")


if __name__ == "__main__":
    main()
