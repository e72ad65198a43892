"""What the sentiment page shows for a run, current labels and a selection — vectorised, no refits."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.sentiment.labels import LABELS
from models.sentiment.model import evaluate

SPLIT_NAMES = {"test": "test split (model never saw it)", "train": "train split (out-of-fold)"}


def split_mask(scores: pd.DataFrame, split: str) -> np.ndarray:
    if split not in SPLIT_NAMES:
        raise ValueError(f"split must be one of {', '.join(SPLIT_NAMES)}, not {split!r}")
    return (scores["split"] == split).to_numpy()


def confusion(labels: np.ndarray, predicted: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """3×3 counts, rows actual, columns predicted, over the masked rows."""
    k = len(LABELS)
    return np.bincount(labels[mask].astype(np.int64) * k + predicted[mask], minlength=k * k).reshape(k, k)


def metrics(labels: np.ndarray, predicted: np.ndarray, mask: np.ndarray) -> dict:
    return evaluate(labels[mask], predicted[mask])


def selected_rows(labels: np.ndarray, predicted: np.ndarray, mask: np.ndarray, cell: list | tuple | None) -> np.ndarray:
    """Row ids in the split, narrowed to one confusion cell ``(actual, predicted)`` when given."""
    keep = mask.copy()
    if cell is not None:
        actual, pred = (int(v) for v in cell)
        keep &= (labels == actual) & (predicted == pred)
    return np.flatnonzero(keep)


def table(
    scores: pd.DataFrame,
    labels: np.ndarray,
    corrected: np.ndarray,
    rows: np.ndarray,
    ids: np.ndarray | None = None,
) -> pd.DataFrame:
    """The grid's rows for ``rows``, most suspicious first.

    Args:
        ids: The dataset's own row ids (an uploaded file's id column), in dataset order; the row number otherwise.

    Returns:
        DataFrame with columns row, id, text, actual, predicted, p_negative, p_neutral, p_positive,
        issue_score, suggested, corrected.
    """
    names = np.asarray(LABELS, dtype=object)
    part = scores.iloc[rows]
    out = pd.DataFrame(
        {
            "row": part["row"].to_numpy(),
            "id": part["row"].to_numpy() if ids is None else np.asarray(ids, dtype=object)[rows],
            "text": part["text"].to_numpy(),
            "actual": names[labels[rows]],
            "predicted": names[part["predicted"].to_numpy()],
            "p_negative": part["p_negative"].round(3).to_numpy(),
            "p_neutral": part["p_neutral"].round(3).to_numpy(),
            "p_positive": part["p_positive"].round(3).to_numpy(),
            "issue_score": part["issue_score"].round(3).to_numpy(),
            "suggested": names[part["suggested"].to_numpy()],
            "corrected": corrected[rows],
        }
    )
    return out.sort_values("issue_score", ascending=False, kind="stable")
