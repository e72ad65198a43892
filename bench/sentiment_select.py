"""Server time of the sentiment page's selection callbacks, and of a retrain, on the tweets.

    .venv/bin/python bench/sentiment_select.py [--repeat 20]

Calls the page's callbacks as plain functions inside a request context (what a worker does per
click, minus HTTP): a confusion-cell click redraws the triangle and the table, a lasso narrows the
table. Prints p50/p95 per kind, then the wall time of one retrain (fit, 5-fold out-of-fold
probabilities, scoring, saving).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    from webapp import create_app

    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(
            {
                "TESTING": True,
                "DATA_DIR": data_dir,
                "SECRET_KEY": "bench",
                "DATA_MIRROR": os.environ.get("GLASSBOX_DATA_MIRROR"),
            }
        )
        from webapp.pages import sentiment as page

        with app.server.test_request_context():
            started = time.perf_counter()
            run_info = page._ensure_run(page._workspace(), "tweets")
            print(f"first visit (trains the model): {time.perf_counter() - started:.2f} s")
            timings: dict[str, list[float]] = {}

            def timed(name, fn, *a):
                t = time.perf_counter()
                fn(*a)
                timings.setdefault(name, []).append((time.perf_counter() - t) * 1000)

            rng = np.random.default_rng(0)
            for split in ("test", "train"):
                for _ in range(args.repeat):
                    cell = {"split": split, "cell": [int(v) for v in rng.integers(0, 3, 2)]}
                    timed(f"cell click, {split}: triangle", page.render_triangle, cell, run_info, 0, "dark")
                    timed(f"cell click, {split}: table", page.render_table, cell, None, run_info, 0)
                    timed(
                        f"cell click, {split}: matrix+metrics", page.render_overview, run_info, split, 0, cell, "dark"
                    )
                    lassoed = sorted(rng.choice(12000, 300, replace=False).tolist())
                    timed(
                        f"lasso, {split}: table",
                        page.render_table,
                        {"split": split, "cell": None},
                        lassoed,
                        run_info,
                        0,
                    )
            for name, values in timings.items():
                print(f"{name:38s} p50 {statistics.median(values):6.1f} ms   p95 {np.percentile(values, 95):6.1f} ms")
            workspace = page._workspace()
            started = time.perf_counter()
            workspace.train("tweets")
            print(f"retrain on {len(workspace.dataset('tweets')):,} tweets: {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
