"""What the sentiment page shows for a run, current labels and a selection — vectorised, no refits."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.sentiment.labels import LABELS, label_names
from models.sentiment.model import evaluate

SPLIT_NAMES = {"test": "test split (model never saw it)", "train": "train split (out-of-fold)"}


def split_mask(scores: pd.DataFrame, split: str) -> np.ndarray:
    if split not in SPLIT_NAMES:
        raise ValueError(f"split must be one of {', '.join(SPLIT_NAMES)}, not {split!r}")
    return (scores["split"] == split).to_numpy()


def confusion(labels: np.ndarray, predicted: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """3×3 counts, rows actual, columns predicted, over the masked rows that have a label."""
    k = len(LABELS)
    mask = mask & (labels >= 0)
    return np.bincount(labels[mask].astype(np.int64) * k + predicted[mask], minlength=k * k).reshape(k, k)


def metrics(labels: np.ndarray, predicted: np.ndarray, mask: np.ndarray) -> dict:
    """``evaluate`` over the masked rows that have a label (unlabelled rows have no truth to measure against)."""
    mask = mask & (labels >= 0)
    return evaluate(labels[mask], predicted[mask])


def label_counts(labels: np.ndarray, split: np.ndarray) -> pd.DataFrame:
    """Labelled rows per class and unlabelled rows, per split.

    Returns:
        DataFrame indexed by ``LABELS`` plus ``"unlabelled"``, columns ``train``, ``test`` and ``total``.
    """
    labels, split = np.asarray(labels), np.asarray(split)
    out = {}
    for name in ("train", "test"):
        mine = labels[split == name].astype(np.int64)
        out[name] = np.append(np.bincount(mine[mine >= 0], minlength=len(LABELS)), int((mine < 0).sum()))
    frame = pd.DataFrame(out, index=[*LABELS, "unlabelled"])
    frame["total"] = frame["train"] + frame["test"]
    return frame


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
        DataFrame with columns row, id, text, actual ("" when unlabelled), predicted, p_negative, p_neutral, p_positive,
        issue_score, suggested, corrected.
    """
    names = np.asarray(LABELS, dtype=object)
    part = scores.iloc[rows]
    issue = part["issue_score"].round(3).astype(object)
    out = pd.DataFrame(
        {
            "row": part["row"].to_numpy(),
            "id": part["row"].to_numpy() if ids is None else np.asarray(ids, dtype=object)[rows],
            "text": part["text"].to_numpy(),
            "actual": label_names(labels[rows]),
            "predicted": names[part["predicted"].to_numpy()],
            "p_negative": part["p_negative"].round(3).to_numpy(),
            "p_neutral": part["p_neutral"].round(3).to_numpy(),
            "p_positive": part["p_positive"].round(3).to_numpy(),
            "issue_score": issue.where(issue.notna(), None).to_numpy(),  # unlabelled: no label to doubt
            "suggested": names[part["suggested"].to_numpy()],
            "corrected": corrected[rows],
        }
    )
    return out.sort_values("issue_score", ascending=False, kind="stable", na_position="last", key=_numeric)


def _numeric(column: pd.Series) -> pd.Series:
    return pd.to_numeric(column, errors="coerce") if column.dtype == object else column
