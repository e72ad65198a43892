"""Cost of the NN Builder's monitor: a bare ``model.fit`` against the same fit with ``Monitor`` attached.

Both fits train the same network from the same initial weights (seeded, rebuilt for each run, so
both pay for tracing their train function) on the same scaled Black-Scholes rows with the same
validation data. Runs alternate bare/monitored to share any drift in machine load; the script
prints the median of each and their ratio (the goal is at most 1.10).

    .venv/bin/python bench/nn_overhead.py [--rows 20000] [--epochs 20] [--batch-size 32] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keras

from models.nn.data import black_scholes, split
from models.nn.monitor import Monitor
from models.nn.spec import build_model, default_spec


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--units", type=int, default=64)
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    parts = split(black_scholes(args.rows, seed=0), validation=0.2, seed=0, scale=True)
    spec = {
        **default_spec(),
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "layers": [{"units": args.units, "activation": "relu"}] * args.layers,
    }
    y_train, y_val = parts.y_train[:, None], parts.y_val[:, None]

    def run(monitored: bool) -> tuple[float, float]:
        keras.utils.set_random_seed(0)
        model = build_model(spec, parts.X_train.shape[1], "regression")
        monitor = Monitor(parts.X_train[:2000], args.epochs)
        started = time.perf_counter()
        model.fit(
            parts.X_train,
            y_train,
            validation_data=(parts.X_val, y_val),
            epochs=args.epochs,
            batch_size=args.batch_size,
            verbose=0,
            callbacks=[monitor] if monitored else [],
        )
        return time.perf_counter() - started, monitor.overhead

    run(False)  # warm-up: first use of TensorFlow's kernels and thread pools
    bare, monitored, inside = [], [], []
    for _ in range(args.repeats):
        bare.append(run(False)[0])
        seconds, overhead = run(True)
        monitored.append(seconds)
        inside.append(overhead)
    b, m = statistics.median(bare), statistics.median(monitored)
    print(
        f"{args.rows:,} rows, {args.layers}x{args.units} relu, {args.epochs} epochs, batch {args.batch_size}, "
        f"median of {args.repeats}"
    )
    print(f"bare model.fit:     {b:8.2f} s   (runs: {', '.join(f'{s:.2f}' for s in bare)})")
    print(f"fit with Monitor:   {m:8.2f} s   (runs: {', '.join(f'{s:.2f}' for s in monitored)})")
    print(
        f"monitor's own time: {statistics.median(inside):8.2f} s   (recording, measured inside the callback: "
        f"{statistics.median(inside) / b:.1%} of the bare fit, a figure that machine load disturbs less)"
    )
    print(f"ratio:              {m / b:8.3f}   (goal <= 1.10)")


if __name__ == "__main__":
    main()
