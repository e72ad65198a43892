"""Label-issue ranking against cleanlab on injected label flips in the tweets.

    .venv/bin/pip install -e ".[bench]"
    .venv/bin/python bench/label_issues.py [--flip 0.05] [--seeds 0 1 2]

Flips a share of the training labels to another class at random (seeded), computes out-of-fold
probabilities once with the project's model, then ranks the rows with the project's
``label_issue_scores`` and with cleanlab on the *same* probabilities: ``find_label_issues``
(its confident-learning filter, ranked by self-confidence) and ``get_label_quality_scores``
(every method). Prints precision@k, k = number of flips, for each.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from models.sentiment.data import load_tweets
from models.sentiment.issues import label_issue_scores, out_of_fold_proba
from models.sentiment.model import SentimentModel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--flip", type=float, default=0.05)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    data = load_tweets(mirror=os.environ.get("GLASSBOX_DATA_MIRROR"))
    train = data[data["split"] == "train"]
    texts, clean = train["text"].to_numpy(object), train["label"].to_numpy()
    n = len(clean)
    results: dict[str, list[float]] = {}
    for seed in args.seeds:
        rng = np.random.default_rng(seed)
        flipped = rng.choice(n, int(round(args.flip * n)), replace=False)
        noisy = clean.copy()
        noisy[flipped] = (clean[flipped] + rng.integers(1, 3, len(flipped))) % 3
        truth = np.zeros(n, dtype=bool)
        truth[flipped] = True
        k = len(flipped)
        started = time.perf_counter()
        proba = out_of_fold_proba(texts, noisy, SentimentModel, folds=5, seed=seed)
        seconds = time.perf_counter() - started

        def at_k(order, truth=truth, k=k):
            return float(truth[np.asarray(order)[:k]].sum() / k)

        score, _ = label_issue_scores(noisy, proba)
        found = find_label_issues(noisy, proba, return_indices_ranked_by="self_confidence")
        row = {
            "glassbox": at_k(np.argsort(-score, kind="stable")),
            "cleanlab find_label_issues": at_k(found),
        }
        for method in ("self_confidence", "normalized_margin", "confidence_weighted_entropy"):
            quality = get_label_quality_scores(noisy, proba, method=method)
            row[f"cleanlab quality {method}"] = at_k(np.argsort(quality, kind="stable"))
        print(
            f"seed {seed}: {k} flips of {n}, out-of-fold probabilities in {seconds:.1f} s; "
            f"cleanlab flagged {len(found)} rows"
        )
        for name, value in row.items():
            results.setdefault(name, []).append(value)
    print(f"\nprecision@k (k = flips), mean over seeds {args.seeds}; chance = {args.flip:.2f}")
    for name, values in results.items():
        print(f"  {name:42s} {np.mean(values):.3f}  {' '.join(f'{v:.3f}' for v in values)}")


if __name__ == "__main__":
    main()
