"""The labelling queue: which row a person should label (or review) next.

Uncertainty sampling: the unlabelled row the current model is least sure about teaches it most (its margin
between the two likeliest classes is smallest, or its entropy largest). Before a model exists (too few labels
of some class) the queue starts from a diverse sample instead: the texts are clustered in a TF-IDF space and
the row nearest each centroid comes first, so the first answers cover the data rather than one corner of it.
A share of the answers goes to unlabelled *test* rows drawn at random, so the test split the metrics and the
learning curve are measured on stays an unbiased sample. Review mode walks the labelled rows whose given
label looks most wrong (``models.sentiment.issues``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from models.access import LOCAL_USER, User
from models.cache import LRU
from models.sentiment.labels import label_names
from models.sentiment.model import Explanation
from models.sentiment.text import tokenize
from models.sentiment.train import PROBA_COLUMNS

if TYPE_CHECKING:
    from models.sentiment.workspace import Workspace

METHODS = ("margin", "entropy")
MODES = ("label", "review")
DIVERSE_ROWS = 30
# One labelled test row for every TEST_RATIO labelled training rows (the 80/20 split of an upload).
TEST_RATIO = 4


def uncertainty(proba: np.ndarray, method: str = "margin") -> np.ndarray:
    """How unsure the model is about each row, higher = less sure.

    Args:
        proba: Class probabilities, shape (n, classes).
        method: ``"margin"``: 1 − (p_best − p_second); ``"entropy"``: −Σ p log p.
    """
    proba = np.asarray(proba, dtype=float)
    if method == "margin":
        top = np.sort(proba, axis=1)
        return 1.0 - (top[:, -1] - top[:, -2])
    if method == "entropy":
        return -np.sum(proba * np.log(np.clip(proba, 1e-12, 1.0)), axis=1)
    raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")


def rank_uncertain(proba: np.ndarray, candidates: np.ndarray, method: str = "margin") -> np.ndarray:
    """Rows of ``candidates`` (a boolean mask or row ids), most uncertain first, ties by row id."""
    rows = np.flatnonzero(candidates) if np.asarray(candidates).dtype == bool else np.asarray(candidates, np.int64)
    score = uncertainty(np.asarray(proba)[rows], method)
    return rows[np.lexsort((rows, -score))]


def text_space(texts, dimensions: int = 64, seed: int = 0) -> np.ndarray:
    """Texts as unit vectors: sublinear TF-IDF over the model's tokens, reduced by a truncated SVD (LSA)."""
    matrix = TfidfVectorizer(tokenizer=tokenize, token_pattern=None, lowercase=False, sublinear_tf=True).fit_transform(
        list(texts)
    )
    dimensions = min(dimensions, matrix.shape[1] - 1, matrix.shape[0] - 1)
    if dimensions >= 2:
        matrix = TruncatedSVD(dimensions, random_state=seed).fit_transform(matrix)
    else:
        matrix = matrix.toarray()
    return normalize(matrix)


def diverse_sample(texts, k: int = DIVERSE_ROWS, seed: int = 0) -> np.ndarray:
    """One row per cluster of ``texts``: k-means in ``text_space``, the row nearest each centroid.

    Returns:
        ``min(k, distinct texts)`` positions in ``texts``, one per cluster, largest cluster first.
    """
    texts = list(texts)
    if not texts:
        return np.zeros(0, dtype=np.int64)
    space = text_space(texts, seed=seed)
    k = int(min(k, len(np.unique(space, axis=0))))
    km = KMeans(n_clusters=k, n_init=3, random_state=seed).fit(space)
    distance = km.transform(space)  # (n, k)
    nearest = distance.argmin(axis=0)  # the row nearest each centroid
    sizes = np.bincount(km.labels_, minlength=k)
    return nearest[np.argsort(-sizes, kind="stable")].astype(np.int64)


def batch(
    proba: np.ndarray,
    pool: np.ndarray,
    size: int,
    method: str = "margin",
    space: np.ndarray | None = None,
    widen: int = 4,
    seed: int = 0,
) -> np.ndarray:
    """The rows of ``pool`` (row ids) an annotator labels before the next retrain.

    Args:
        space: Every row's ``text_space`` vector; given, the batch is diverse: the ``widen × size`` most
            uncertain rows are clustered into ``size`` groups and the most uncertain row of each is taken, so a
            batch is not fifty rewordings of one headline. None: simply the ``size`` most uncertain rows.
    """
    ranked = rank_uncertain(proba, np.asarray(pool, dtype=np.int64), method)
    if space is None or len(ranked) <= size:
        return ranked[:size]
    candidates = ranked[: widen * size]
    groups = KMeans(n_clusters=size, n_init=1, random_state=seed).fit_predict(space[candidates])
    # candidates are ordered most uncertain first, so each group's first member is its most uncertain row
    _, first = np.unique(groups, return_index=True)
    return candidates[np.sort(first)]


@dataclass(frozen=True)
class Pick:
    """The queue's next row.

    Attributes:
        row: Dataset row id.
        reason: ``"uncertain"`` (smallest margin / largest entropy), ``"diverse"`` (cold start: nearest a
            cluster centre), ``"test sample"`` (a random unlabelled test row), ``"random"`` (cold start, the
            diverse sample used up) or ``"review"`` (a labelled row whose label looks wrong).
        score: The ranking's score (uncertainty, issue score), None where it has none.
    """

    row: int
    reason: str
    score: float | None = None


def next_pick(
    labels: np.ndarray,
    split: np.ndarray,
    *,
    mode: str = "label",
    proba: np.ndarray | None = None,
    issue_score: np.ndarray | None = None,
    corrected: np.ndarray | None = None,
    diverse: Iterable[int] = (),
    skip: Iterable[int] = (),
    method: str = "margin",
    seed: int = 0,
) -> Pick | None:
    """The row the queue shows next, or None when nothing is left.

    Args:
        labels: Current class indices, ``UNLABELLED`` (< 0) for rows without one.
        split: ``"train"``/``"test"`` per row.
        mode: ``"label"`` (unlabelled rows) or ``"review"`` (labelled rows, most suspicious first).
        proba: The current model's probabilities per row; None before a model exists (cold start).
        issue_score: Per row (review mode), higher = label more likely wrong.
        corrected: Rows a person already set (review mode skips them).
        diverse: Cold start's order (``diverse_sample`` rows), used while there is no model.
        skip: Rows the user skipped in this session.
        seed: Fixes the random order of the test sample.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    labels, split = np.asarray(labels), np.asarray(split)
    open_ = np.ones(len(labels), dtype=bool)
    skipped = np.fromiter((int(r) for r in skip), dtype=np.int64)
    open_[skipped[(skipped >= 0) & (skipped < len(labels))]] = False
    if mode == "review":
        if issue_score is None:
            return None
        candidates = open_ & (labels >= 0) & ~np.isnan(issue_score)
        if corrected is not None:
            candidates &= ~np.asarray(corrected, dtype=bool)
        rows = np.flatnonzero(candidates)
        if not len(rows):
            return None
        best = rows[np.lexsort((rows, -issue_score[rows]))[0]]
        return Pick(int(best), "review", float(issue_score[best]))
    unlabelled = open_ & (labels < 0)
    train, test = unlabelled & (split == "train"), unlabelled & (split == "test")
    n_train = int(np.sum((labels >= 0) & (split == "train")))
    n_test = int(np.sum((labels >= 0) & (split == "test")))
    if test.any() and (n_test * TEST_RATIO < n_train or not train.any()):
        order = np.random.default_rng(seed).permutation(len(labels))
        return Pick(int(order[test[order]][0]), "test sample")
    if not train.any():
        return None
    if proba is None:
        for row in diverse:
            if train[int(row)]:
                return Pick(int(row), "diverse")
        order = np.random.default_rng(seed + 1).permutation(len(labels))
        return Pick(int(order[train[order]][0]), "random")
    row = int(rank_uncertain(proba, train, method)[0])
    return Pick(row, "uncertain", float(uncertainty(np.asarray(proba)[[row]], method)[0]))


def learning_curve(runs: list[dict]) -> list[dict]:
    """Labelled training rows and test macro-F1 of each run, in order (one point per run; a retrain with the
    same labels and other parameters is a second point at the same x).

    Returns:
        ``[{"run": id, "labelled": n, "macro_f1": f, "test_rows": n}, ...]``: ``labelled`` counts the labelled
        training and test rows the run saw, ``test_rows`` the labelled test rows its macro-F1 is measured on.
        Runs stored before the labelled count was recorded are left out.
    """
    points = []
    for record in runs:
        metrics = record.get("metrics") or {}
        support = sum(v.get("support", 0) for v in (metrics.get("per_class") or {}).values())
        labelled = metrics.get("labelled_train")
        if labelled is None:
            continue
        points.append(
            {
                "run": int(record["id"]),
                "labelled": int(labelled) + int(support),
                "macro_f1": float(metrics.get("macro_f1", 0.0)),
                "test_rows": int(support),
            }
        )
    return points


_diverse = LRU(4)


@dataclass(frozen=True)
class QueueItem:
    """What the labelling queue shows: one row, why it was picked, and what the model thinks of it.

    Attributes:
        pick: The row and why.
        text: The row's text.
        expected: Its label now (``""``: unlabelled); an answer is stored only if it is still this.
        proba: The current model's (negative, neutral, positive) probabilities, None before a model exists.
        explanation: The predicted class's binary model token by token, None before a model exists.
        remaining: Rows the mode still has to offer (unlabelled, or labelled and not yet corrected), skips included.
    """

    pick: Pick
    text: str
    expected: str
    proba: tuple[float, float, float] | None
    explanation: Explanation | None
    remaining: int


def queue_item(
    workspace: Workspace,
    dataset_id: str,
    run_id: int | None,
    mode: str = "label",
    skip: Iterable[int] = (),
    method: str = "margin",
    user: User = LOCAL_USER,
) -> QueueItem | None:
    """The queue's next row of a dataset under its current labels, or None when the mode has nothing left.

    Args:
        run_id: The dataset's current model run; None before one exists (cold start: the diverse sample).
        user: Whose view of the dataset (``models.access.may_see``).
    """
    dataset = workspace.dataset(dataset_id, user)
    labels, corrected = workspace.labels(dataset_id, user)
    split = dataset["split"].to_numpy()
    run = workspace.run(run_id, user) if run_id is not None else None
    if run is not None and len(run.scores) != len(dataset):
        raise ValueError(f"Model run {run_id} does not belong to dataset {dataset_id!r}.")
    proba = None if run is None else run.scores[list(PROBA_COLUMNS)].to_numpy(float)
    diverse = ()
    if proba is None and mode == "label" and np.any((labels < 0) & (split == "train")):
        train_rows = np.flatnonzero(split == "train")
        diverse = _diverse.get(
            ("diverse", str(workspace.data_dir), dataset_id),
            lambda: train_rows[diverse_sample(dataset["text"].to_numpy(object)[train_rows])],
        )
    issue = None if run is None else run.scores["issue_score"].to_numpy(float)
    # Issue scores belong to the labels the run was trained with; a row relabelled since has another label.
    if issue is not None:
        issue = np.where(run.scores["label"].to_numpy() == labels, issue, np.nan)
    pick = next_pick(
        labels,
        split,
        mode=mode,
        proba=proba,
        issue_score=issue,
        corrected=corrected,
        diverse=diverse,
        skip=skip,
        method=method,
        seed=len(dataset),
    )
    if pick is None:
        return None
    text = str(dataset["text"].iat[pick.row])
    explanation = None
    if run is not None:
        explanation = run.model.explain(text, int(np.argmax(proba[pick.row])))
    remaining = int(np.sum(labels < 0)) if mode == "label" else int(np.sum((labels >= 0) & ~corrected))
    return QueueItem(
        pick=pick,
        text=text,
        expected=str(label_names(labels[[pick.row]])[0]),
        proba=None if proba is None else tuple(float(p) for p in proba[pick.row]),
        explanation=explanation,
        remaining=remaining,
    )


# The queue's session: what one browser tab did in the queue, kept in a dcc.Store (so it is client-controlled and
# checked here before use). {"dataset": id, "turn": n, "answers": [{"row": r, "batch": id or None}], "skip": [r],
# "since": answers since the last retrain}. "turn" grows with every answer, skip and undo; the row on screen
# carries the turn it was shown at, so a key pressed twice before the next row arrives answers only once.


def fresh_session(dataset_id: str) -> dict:
    return {"dataset": dataset_id, "turn": 0, "answers": [], "skip": [], "since": 0}


def checked_session(data, dataset_id: str) -> dict:
    """The session for ``dataset_id`` from a store's content: a new one when it is another dataset's or malformed."""
    if not isinstance(data, dict) or data.get("dataset") != dataset_id:
        return fresh_session(dataset_id)
    try:
        answers = [
            {"row": int(a["row"]), "batch": a.get("batch") if isinstance(a.get("batch"), str) else None}
            for a in data.get("answers", [])[-500:]
        ]
        return {
            "dataset": dataset_id,
            "turn": int(data.get("turn", 0)),
            "answers": answers,
            "skip": [int(r) for r in data.get("skip", [])][-5000:],
            "since": max(0, int(data.get("since", 0))),
        }
    except (TypeError, ValueError, KeyError, AttributeError):
        return fresh_session(dataset_id)


def after_answer(session: dict, row: int, batch: str | None, every: int) -> tuple[dict, bool]:
    """The session after an answer, and whether it is time to retrain (every ``every`` answers).

    An answer that changed nothing (review mode, the label confirmed) skips the row for the rest of the session.
    """
    since = session["since"] + 1
    retrain = since >= every
    return {
        **session,
        "turn": session["turn"] + 1,
        "answers": [*session["answers"], {"row": int(row), "batch": batch}],
        "skip": session["skip"] + ([int(row)] if batch is None else []),
        "since": 0 if retrain else since,
    }, retrain


def after_skip(session: dict, row: int) -> dict:
    return {**session, "turn": session["turn"] + 1, "skip": [*session["skip"], int(row)]}


def after_undo(session: dict) -> tuple[dict, dict | None]:
    """The session without its last answer, and that answer (None when there is none)."""
    if not session["answers"]:
        return session, None
    last = session["answers"][-1]
    skip = list(session["skip"])
    if last["row"] in skip:
        skip.remove(last["row"])
    return {
        **session,
        "turn": session["turn"] + 1,
        "answers": session["answers"][:-1],
        "skip": skip,
        "since": max(0, session["since"] - 1),
    }, last
