import numpy as np

from models.sentiment.issues import label_issue_scores, out_of_fold_proba, rank_label_issues
from models.sentiment.model import SentimentModel


def test_injected_flips_rank_far_above_chance(tweets):
    train = tweets[tweets["split"] == "train"]
    texts, clean = train["text"].to_numpy(object), train["label"].to_numpy()
    rng = np.random.default_rng(3)
    flipped = rng.choice(len(clean), len(clean) // 20, replace=False)
    noisy = clean.copy()
    noisy[flipped] = (clean[flipped] + rng.integers(1, 3, len(flipped))) % 3
    proba = out_of_fold_proba(texts, noisy, SentimentModel, folds=5)
    ranked = rank_label_issues(noisy, proba)
    top = ranked["row"].to_numpy()[: len(flipped)]
    precision = np.isin(top, flipped).mean()
    assert precision > 0.35  # chance is 0.05; bench/label_issues.py measures ~0.49
    # The suggestion for a caught flip is mostly its original label.
    caught = ranked.head(len(flipped))
    caught = caught[np.isin(caught["row"], flipped)]
    original = np.array(["negative", "neutral", "positive"], dtype=object)[clean[caught["row"].to_numpy()]]
    assert (caught["suggested"].to_numpy() == original).mean() > 0.6


def test_scores_order_and_suggestions():
    proba = np.array([[0.9, 0.05, 0.05], [0.1, 0.1, 0.8], [0.34, 0.33, 0.33]])
    score, suggested = label_issue_scores(np.array([0, 0, 1]), proba)
    assert score[1] > score[2] > score[0]
    assert list(suggested) == [1, 2, 0]
    assert np.all((score >= 0) & (score <= 1))
    ranked = rank_label_issues(np.array([0, 0, 1]), proba)
    assert list(ranked["row"]) == [1, 2, 0]
    assert list(ranked.columns) == ["row", "given", "suggested", "score"]


def test_out_of_fold_progress_and_tiny_classes():
    texts = ["good"] * 3 + ["bad"] * 3 + ["flat"] * 2
    calls = []
    proba = out_of_fold_proba(
        texts, np.array([2, 2, 2, 0, 0, 0, 1, 1]), SentimentModel, folds=5, progress=lambda *a: calls.append(a)
    )
    assert proba.shape == (8, 3)
    assert [c[:2] for c in calls] == [(1, 2), (2, 2)]  # folds lowered to the smallest class


def test_empty_input():
    score, suggested = label_issue_scores(np.array([], dtype=int), np.zeros((0, 3)))
    assert score.size == 0 and suggested.size == 0
