"""The labelling queue's ranking: uncertainty on known probabilities, the diverse cold start, the test sample."""

import numpy as np
import pandas as pd
import pytest

from models.db import make_engine
from models.sentiment.labels import UNLABELLED
from models.sentiment.queue import diverse_sample, learning_curve, next_pick, queue_item, rank_uncertain, uncertainty
from models.sentiment.workspace import Workspace

PROBA = np.array(
    [
        [0.90, 0.05, 0.05],  # sure: margin 0.85
        [0.34, 0.33, 0.33],  # as unsure as it gets: margin 0.01, entropy ~ln 3
        [0.50, 0.45, 0.05],  # close call between two: margin 0.05, entropy lower than row 3's
        [0.40, 0.30, 0.30],  # margin 0.10, entropy high
        [0.70, 0.20, 0.10],  # margin 0.50
    ]
)


def test_uncertainty_ranking_on_known_probabilities():
    assert rank_uncertain(PROBA, np.ones(5, bool), "margin").tolist() == [1, 2, 3, 4, 0]
    assert rank_uncertain(PROBA, np.ones(5, bool), "entropy").tolist() == [1, 3, 2, 4, 0]
    assert rank_uncertain(PROBA, np.array([0, 2, 4]), "margin").tolist() == [2, 4, 0]
    np.testing.assert_allclose(uncertainty(PROBA[:1], "margin"), [0.15])
    with pytest.raises(ValueError, match="margin, entropy"):
        uncertainty(PROBA, "variance")


def test_next_pick_takes_the_most_uncertain_unlabelled_training_row_and_skips():
    labels = np.array([UNLABELLED, 0, UNLABELLED, UNLABELLED, UNLABELLED])
    split = np.array(["train"] * 5)
    assert next_pick(labels, split, proba=PROBA).row == 2  # row 1 is labelled
    assert next_pick(labels, split, proba=PROBA, skip=[2]).row == 3
    assert next_pick(labels, split, proba=PROBA, method="entropy").row == 3
    assert next_pick(labels, split, proba=PROBA, skip=[0, 2, 3, 4]) is None


def test_a_share_of_answers_goes_to_random_unlabelled_test_rows():
    labels = np.array([0, 1, 2, 0, 1, UNLABELLED, UNLABELLED, 0, UNLABELLED])
    split = np.array(["train"] * 6 + ["test"] * 3)
    proba = np.full((9, 3), 1 / 3)
    # 5 labelled training rows, 1 labelled test row: 1 × 4 < 5, so a test row comes next.
    pick = next_pick(labels, split, proba=proba)
    assert pick.reason == "test sample" and pick.row in (6, 8)
    labels[6] = labels[8] = 0
    assert next_pick(labels, split, proba=proba).row == 5


def test_review_mode_walks_labelled_rows_most_suspicious_first_except_corrected():
    labels = np.array([0, 1, 2, UNLABELLED])
    issue = np.array([0.2, 0.9, 0.5, np.nan])
    split = np.array(["train"] * 4)
    assert next_pick(labels, split, mode="review", issue_score=issue).row == 1
    corrected = np.array([False, True, False, False])
    pick = next_pick(labels, split, mode="review", issue_score=issue, corrected=corrected)
    assert (pick.row, pick.reason, pick.score) == (2, "review", 0.5)


def test_cold_start_returns_one_row_per_cluster():
    topics = {
        "earnings": "quarterly earnings beat estimates revenue profit",
        "merger": "merger acquisition deal buyout takeover bid",
        "rates": "fed interest rates hike inflation bond yields",
        "crypto": "bitcoin crypto token blockchain ether wallet",
    }
    rng = np.random.default_rng(0)
    texts, topic_of = [], []
    for name, words in topics.items():
        vocab = words.split()
        for _ in range(25):
            texts.append(" ".join(rng.choice(vocab, size=5)))
            topic_of.append(name)
    order = rng.permutation(len(texts))
    texts, topic_of = [texts[i] for i in order], [topic_of[i] for i in order]
    rows = diverse_sample(texts, k=4)
    assert len(rows) == 4 and len(set(rows.tolist())) == 4
    assert sorted(topic_of[r] for r in rows) == sorted(topics)  # one row from each topic
    # Without a model the queue offers them in that order.
    labels, split = np.full(len(texts), UNLABELLED), np.array(["train"] * len(texts))
    first = next_pick(labels, split, diverse=rows)
    assert (first.row, first.reason) == (rows[0], "diverse")
    assert next_pick(labels, split, diverse=rows, skip=rows[:1]).row == rows[1]
    assert next_pick(labels, split, diverse=rows, skip=rows).reason == "random"


def test_learning_curve_counts_labels_given_and_test_macro_f1():
    runs = [
        {"id": 1, "metrics": {"macro_f1": 0.5}},  # stored before the counts existed: left out
        {"id": 2, "metrics": {"macro_f1": 0.6, "labelled_train": 40, "per_class": {"a": {"support": 5}}}},
        {"id": 3, "metrics": {"macro_f1": 0.7, "labelled_train": 50, "per_class": {"a": {"support": 8}}}},
    ]
    assert learning_curve(runs) == [
        {"run": 2, "labelled": 45, "macro_f1": 0.6, "test_rows": 5},
        {"run": 3, "labelled": 58, "macro_f1": 0.7, "test_rows": 8},
    ]


def test_queue_item_cold_start_then_with_a_model(tmp_path):
    workspace = Workspace(make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}"), tmp_path)
    words = ["soar", "sink", "flat", "meeting", "beat", "miss"]
    texts = [f"shares {words[i % 6]} {i}" for i in range(60)]
    data = pd.DataFrame({"text": texts, "label": UNLABELLED, "split": ["train"] * 48 + ["test"] * 12})
    dataset_id = workspace.save_dataset(data)
    item = queue_item(workspace, dataset_id, None)
    assert item.pick.reason == "diverse" and item.proba is None and item.expected == "" and item.remaining == 60
    # Half the training rows and some test rows labelled by their word.
    meaning = {"soar": 2, "beat": 2, "sink": 0, "miss": 0, "flat": 1, "meeting": 1}
    data["label"] = [meaning[words[i % 6]] if i < 24 or 48 <= i < 54 else UNLABELLED for i in range(60)]
    dataset_id = workspace.save_dataset(data)
    run_id = workspace.train(dataset_id)
    item = queue_item(workspace, dataset_id, run_id)
    assert item.pick.reason == "uncertain" and item.expected == "" and len(item.proba) == 3
    assert item.explanation is not None and not item.explanation.tokens.empty
    review = queue_item(workspace, dataset_id, run_id, mode="review")
    assert review.pick.reason == "review" and review.expected in ("negative", "neutral", "positive")
    other = "neutral" if review.expected != "neutral" else "positive"
    assert workspace.answer(dataset_id, review.pick.row, other, expected=review.expected)
    assert queue_item(workspace, dataset_id, run_id, mode="review").pick.row != review.pick.row  # reviewed: gone
