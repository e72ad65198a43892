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
from models.sentiment.labels import LABELS, UNLABELLED
from models.sentiment.model import SentimentModel, evaluate

PROBA_COLUMNS = tuple(f"p_{label}" for label in LABELS)
Progress = Callable[[int, int, str], None]
# Fewest labelled training rows of each class a model is trained with: two, the least cross-validation can
# split; the app asks for more (GLASSBOX_SENTIMENT_MIN_PER_CLASS).
MIN_PER_CLASS = 2


class TooFewLabelsError(ValueError):
    """Too few labelled training rows of some class to train; ``counts`` holds the labelled rows per class."""

    def __init__(self, message: str, counts: dict[str, int]):
        super().__init__(message)
        self.counts = counts


def check_enough_labels(labels: np.ndarray, min_per_class: int = MIN_PER_CLASS) -> None:
    """Raise ``TooFewLabelsError`` unless every class has at least ``min_per_class`` labelled rows in ``labels``."""
    counts = np.bincount(np.asarray(labels, dtype=np.int64)[np.asarray(labels) >= 0], minlength=len(LABELS))
    if counts.min() < min_per_class:
        have = ", ".join(f"{int(n)} {label}" for label, n in zip(LABELS, counts, strict=True))
        raise TooFewLabelsError(
            f"Too few labelled training rows to train a model: {have}; it needs at least {min_per_class} of each "
            "class. Label some in the Label tab (it starts from a diverse sample of the texts).",
            {label: int(n) for label, n in zip(LABELS, counts, strict=True)},
        )


@dataclass(frozen=True)
class Run:
    """A fitted model and what it says about every row of its dataset.

    Attributes:
        model: Fitted on the train split.
        scores: One row per dataset row, in dataset order: ``row``, ``split``, ``text``,
            ``label`` (the label it was trained and measured with), ``p_negative``, ``p_neutral``,
            ``p_positive`` (out of sample: cross-validated on train, the model on test),
            ``predicted``, ``issue_score`` (0..1, higher = label more likely wrong; NaN when unlabelled),
            ``suggested``.
        metrics: ``evaluate`` on the labelled test rows, plus ``labelled_train`` (rows trained on) and
            ``unlabelled`` (rows without a label).
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
    min_per_class: int = MIN_PER_CLASS,
) -> Run:
    """Fit, cross-validate and score.

    Args:
        dataset: ``text`` and ``split`` columns (see ``models.sentiment.data``).
        labels: Class indices to train with (the dataset's own ``label`` plus corrections);
            defaults to ``dataset["label"]``. ``UNLABELLED`` rows are scored but never trained on, and the
            metrics count labelled test rows only.
        params: ``SentimentModel`` parameters.
        progress: Called with (step, steps, message).
        min_per_class: Fewest labelled training rows per class.

    Raises:
        TooFewLabelsError: some class has fewer than ``min_per_class`` labelled training rows.
    """
    started = time.perf_counter()
    params = dict(params or {})
    labels = np.asarray(dataset["label"] if labels is None else labels, dtype=np.int8)
    texts = dataset["text"].to_numpy(object)
    is_train = (dataset["split"] == "train").to_numpy()
    known = labels != UNLABELLED
    fit_rows = is_train & known
    check_enough_labels(labels[fit_rows], min_per_class)
    steps = folds + 2

    def report(step, message):
        if progress:
            progress(step, steps, message)

    report(0, "fitting the model")
    model = SentimentModel(**params).fit(texts[fit_rows], labels[fit_rows])
    report(1, "scoring")
    proba = np.empty((len(texts), len(LABELS)))
    proba[~fit_rows] = model.predict_proba(texts[~fit_rows])  # test rows and unlabelled training rows
    proba[fit_rows] = out_of_fold_proba(
        texts[fit_rows],
        labels[fit_rows],
        partial(SentimentModel, **params),
        folds=folds,
        seed=seed,
        progress=lambda done, total, message: report(1 + done, message),
    )
    predicted = proba.argmax(axis=1)
    score, suggested = np.full(len(labels), np.nan), predicted.copy()  # an unlabelled row has no label to doubt
    score[known], suggested[known] = label_issue_scores(labels[known], proba[known])
    scores = pd.DataFrame(
        {"row": np.arange(len(texts)), "split": dataset["split"].to_numpy(object), "text": texts, "label": labels}
    )
    for k, column in enumerate(PROBA_COLUMNS):
        scores[column] = proba[:, k]
    scores["predicted"] = predicted.astype(np.int8)
    scores["issue_score"] = score
    scores["suggested"] = suggested.astype(np.int8)
    measured = ~is_train & known
    metrics = evaluate(labels[measured], predicted[measured])
    metrics["labelled_train"] = int(fit_rows.sum())
    metrics["unlabelled"] = int((~known).sum())
    report(steps, "done")
    return Run(model, scores, metrics, time.perf_counter() - started)
