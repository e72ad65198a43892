"""One training run: fit on the train split, score every row out of sample, measure on the test split."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from models.sentiment.issues import label_issue_scores, out_of_fold_proba
from models.sentiment.labels import LABELS
from models.sentiment.model import SentimentModel, evaluate

PROBA_COLUMNS = tuple(f"p_{label}" for label in LABELS)
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Run:
    """A fitted model and what it says about every row of its dataset.

    Attributes:
        model: Fitted on the train split.
        scores: One row per dataset row, in dataset order: ``row``, ``split``, ``text``,
            ``label`` (the label it was trained and measured with), ``p_negative``, ``p_neutral``,
            ``p_positive`` (out of sample: cross-validated on train, the model on test),
            ``predicted``, ``issue_score`` (0..1, higher = label more likely wrong), ``suggested``.
        metrics: ``evaluate`` on the test split.
        seconds: Wall time of the whole run.
    """

    model: SentimentModel
    scores: pd.DataFrame
    metrics: dict
    seconds: float

    def save(self, folder: str | Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.model.save(folder / "model.joblib")
        tmp = folder / "scores.parquet.tmp"
        self.scores.to_parquet(tmp, index=False)
        tmp.replace(folder / "scores.parquet")

    @classmethod
    def load(cls, folder: str | Path, metrics: dict, seconds: float = 0.0) -> Run:
        folder = Path(folder)
        return cls(
            SentimentModel.load(folder / "model.joblib"), pd.read_parquet(folder / "scores.parquet"), metrics, seconds
        )


def train(
    dataset: pd.DataFrame,
    labels: np.ndarray | None = None,
    params: dict | None = None,
    folds: int = 5,
    seed: int = 0,
    progress: Progress | None = None,
) -> Run:
    """Fit, cross-validate and score.

    Args:
        dataset: ``text`` and ``split`` columns (see ``models.sentiment.data``).
        labels: Class indices to train with (the dataset's own ``label`` plus corrections);
            defaults to ``dataset["label"]``.
        params: ``SentimentModel`` parameters.
        progress: Called with (step, steps, message).
    """
    started = time.perf_counter()
    params = dict(params or {})
    labels = np.asarray(dataset["label"] if labels is None else labels, dtype=np.int8)
    texts = dataset["text"].to_numpy(object)
    is_train = (dataset["split"] == "train").to_numpy()
    steps = folds + 2

    def report(step, message):
        if progress:
            progress(step, steps, message)

    report(0, "fitting the model")
    model = SentimentModel(**params).fit(texts[is_train], labels[is_train])
    report(1, "scoring")
    proba = np.empty((len(texts), len(LABELS)))
    proba[~is_train] = model.predict_proba(texts[~is_train])
    proba[is_train] = out_of_fold_proba(
        texts[is_train],
        labels[is_train],
        partial(SentimentModel, **params),
        folds=folds,
        seed=seed,
        progress=lambda done, total, message: report(1 + done, message),
    )
    score, suggested = label_issue_scores(labels, proba)
    predicted = proba.argmax(axis=1)
    scores = pd.DataFrame(
        {"row": np.arange(len(texts)), "split": dataset["split"].to_numpy(object), "text": texts, "label": labels}
    )
    for k, column in enumerate(PROBA_COLUMNS):
        scores[column] = proba[:, k]
    scores["predicted"] = predicted.astype(np.int8)
    scores["issue_score"] = score
    scores["suggested"] = suggested.astype(np.int8)
    metrics = evaluate(labels[~is_train], predicted[~is_train])
    report(steps, "done")
    return Run(model, scores, metrics, time.perf_counter() - started)
