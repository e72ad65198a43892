"""Checking what a client names (runs, rows, labels), before/after comparison, upload column guesses, sklearn contract."""

import numpy as np
import pytest
from sklearn.base import clone

from models.sentiment.compare import compare_runs
from models.sentiment.data import guess_columns
from models.sentiment.model import evaluate
from models.sentiment.selection import SelectionError, check_rows, visible_checked


def test_sentiment_model_is_a_scikit_learn_classifier(tweets, fitted):
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params() and not hasattr(copy, "coef_")
    copy.set_params(C=1.0, ngram_max=1)
    assert (copy.C, copy.ngram_max) == (1.0, 1)
    train = tweets[tweets["split"] == "train"].head(600)
    assert copy.fit(train["text"], train["label"].to_numpy()) is copy
    assert 0 < copy.score(train["text"], train["label"].to_numpy()) <= 1  # ClassifierMixin's accuracy
    with pytest.raises(ValueError, match="C must be positive"):
        clone(fitted).set_params(C=0).fit(train["text"], train["label"].to_numpy())


@pytest.mark.parametrize(
    "rows, message",
    [
        ([1_000_000_000], "Row 1000000000 is not in this dataset"),
        ([-1], "Row -1 is not in this dataset"),
        (["1 OR 1=1"], "A row must be a whole number, not '1 OR 1=1'"),
        ([1e9], "Row 1000000000 is not in this dataset"),
        ([1.5], "A row must be a whole number"),
        ([None], "A row must be a whole number"),
        ([True], "A row must be a whole number"),
    ],
)
def test_rows_outside_the_dataset_are_refused(rows, message):
    with pytest.raises(SelectionError, match=message.replace("(", r"\(")):
        check_rows(rows, 100)


def test_rows_inside_are_kept_in_order_once():
    assert check_rows([5, "7", 5.0, 0], 10).tolist() == [5, 7, 0]


def test_only_checked_rows_the_table_shows_count():
    shown = [{"row": 3}, {"row": 9}, {"row": 1}]
    assert visible_checked([{"row": 1}, {"row": 42}, {"row": 3}], shown) == [3, 1]
    assert visible_checked(None, shown) == []


def test_comparison_names_the_cells_that_moved():
    y = np.array([0, 0, 1, 2, 2])
    before = evaluate(y, np.array([1, 0, 1, 2, 1]))
    after = evaluate(y, np.array([0, 0, 1, 2, 2]))
    diff = compare_runs(before, after)
    assert diff.accuracy == (0.6, 1.0)
    assert diff.moved == [
        ("negative", "negative", 1),
        ("negative", "neutral", -1),
        ("positive", "neutral", -1),
        ("positive", "positive", 1),
    ]
    assert diff.moved_text().startswith("negative→negative +1, negative→neutral -1")
    assert compare_runs(after, after).moved_text() == "no cell changed"


def test_upload_columns_are_guessed_by_name_then_position():
    assert guess_columns(["ID", "Sentence", "Class", "SET"]) == {
        "text": "Sentence",
        "label": "Class",
        "split": "SET",
        "id": "ID",
        "time": None,
    }
    assert guess_columns(["a", "b"]) == {"text": "a", "label": "b", "split": None, "id": None, "time": None}
