"""Train → first epoch, cold and warm: seconds from handing a run to the trainer until its first epoch arrives.

This is the part of the page's click → first point that the server controls (the browser adds one progress
poll, 0.5–1 s). *Cold* is a fresh interpreter per run (``GLASSBOX_NN_WARM_TRAINER=0``, or no spare ready): it
pays the interpreter's and TensorFlow's start-up before epoch 1. *Warm* is a spare trainer
(``webapp.nn_warm``) that imported TensorFlow ahead of time; the wait for a spare to become ready is not timed,
as on the page it happens while the user looks at the previous run. The script prints the medians, their
ratio (comparable on a loaded machine, where both figures grow), and the gap to the second epoch, which is the
epoch itself.

    .venv/bin/python bench/nn_first_epoch.py [--repeats 3] [--rows 2000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.db import make_engine
from models.nn.spec import default_spec
from webapp import nn_jobs, nn_warm


def one_run(folder: Path, rows: int, warm: bool) -> tuple[float, float]:
    """(seconds to the first epoch's progress, seconds between the first and the second)."""
    if warm:
        nn_warm.ensure_spare(folder, os.getpid(), idle=120)
        deadline = time.monotonic() + 300
        while not nn_warm.ready_spares(folder):
            if time.monotonic() > deadline:
                raise SystemExit("no spare trainer became ready within 300 s")
            time.sleep(0.1)
    spec = {**default_spec(), "epochs": 2, "batch_size": 256}
    seen: list[float] = []
    start = time.perf_counter()
    train = nn_jobs.train if warm else nn_jobs.train_in_fresh_process
    extra = {"owner": os.getpid(), "idle": 120} if warm else {}
    result = train(
        f"sqlite:///{folder / 'bench.db'}",
        str(folder),
        None,
        f"black-scholes?rows={rows}&seed=0",
        spec,
        str(folder / "stop"),
        lambda *_: seen.append(time.perf_counter() - start),
        **extra,
    )
    if "error" in result or len(seen) < 2:
        raise SystemExit(f"training failed: {result}")
    return seen[0], seen[1] - seen[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args(argv)
    medians = {}
    with tempfile.TemporaryDirectory() as tmp:
        make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}").dispose()
        try:
            for kind in ("cold", "warm"):
                runs = [one_run(Path(tmp), args.rows, kind == "warm") for _ in range(args.repeats)]
                medians[kind] = statistics.median(r[0] for r in runs)
                epoch = statistics.median(r[1] for r in runs)
                print(
                    f"{kind}: train → first epoch median {medians[kind]:.2f} s over {args.repeats} runs "
                    f"(each: {[round(r[0], 2) for r in runs]}); one epoch afterwards {epoch:.2f} s"
                )
        finally:
            nn_warm.stop_spares(tmp)
    print(f"warm / cold: {medians['warm'] / medians['cold']:.2f} (saves {medians['cold'] - medians['warm']:.2f} s)")
    print(f"load average during the bench: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
