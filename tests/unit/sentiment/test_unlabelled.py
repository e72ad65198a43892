"""Unlabelled rows: kept at upload, never trained on, scored, left out of metrics, labelled through corrections."""

import numpy as np
import pandas as pd
import pytest

from models.db import make_engine
from models.sentiment.data import labelled, read_table
from models.sentiment.labels import UNLABELLED, LabelError, label_names
from models.sentiment.model import SentimentModel
from models.sentiment.selection import SelectionError
from models.sentiment.train import TooFewLabelsError, train
from models.sentiment.views import confusion, label_counts, metrics, table
from models.sentiment.workspace import Workspace


def test_empty_labels_are_kept_as_unlabelled_and_other_values_still_refused():
    csv = b"text,label\nshares soar,positive\nshares sink,\nflat day,   \nloss,negative\nmeh,NEUTRAL\n"
    data, notes = labelled(read_table(csv, "t.csv").frame, "text", "label", test_size=0.4)
    assert data["label"].tolist() == [2, UNLABELLED, UNLABELLED, 0, 1]
    assert any("2 row(s) have no label yet" in n for n in notes)
    nan_frame = pd.DataFrame({"text": ["a", "b", "c", "d"], "label": ["positive", np.nan, None, "negative"]})
    assert labelled(nan_frame, "text", "label", test_size=0.5)[0]["label"].tolist() == [2, -1, -1, 0]
    with pytest.raises(LabelError, match="1 label\\(s\\) are not one of negative, neutral, positive: 'great'"):
        labelled(read_table(b"text,label\na,great\nb,\nc,positive\n", "t.csv").frame, "text", "label")


def test_every_row_unlabelled_is_a_dataset_too():
    frame = pd.DataFrame({"text": [f"tweet {i}" for i in range(10)], "label": [""] * 10})
    data, _ = labelled(frame, "text", "label")
    assert (data["label"] == UNLABELLED).all() and set(data["split"]) == {"train", "test"}


def test_training_ignores_unlabelled_rows(tweets):
    train_rows = tweets[tweets["split"] == "train"].head(600)
    texts, y = train_rows["text"].tolist(), train_rows["label"].to_numpy()
    plain = SentimentModel().fit(texts, y)
    # Unlabelled rows with words the labelled ones never use: fitting on them would grow the vocabulary
    # and change the IDF weights, hence every coefficient.
    extra = [f"zzunseen{i} shares soar moon rocket" for i in range(300)]
    mixed = SentimentModel().fit(texts + extra, np.concatenate([y, np.full(len(extra), UNLABELLED)]))
    assert list(mixed.vocabulary_) == list(plain.vocabulary_)
    np.testing.assert_array_equal(mixed.coef_, plain.coef_)
    np.testing.assert_array_equal(mixed.intercept_, plain.intercept_)
    # ...and the check can fail: the same texts given labels do change the model.
    labelled_extra = SentimentModel().fit(texts + extra, np.concatenate([y, np.full(len(extra), 2)]))
    assert len(labelled_extra.vocabulary_) > len(plain.vocabulary_)


def _partial(tweets, n=1500, keep=0.3, seed=0):
    data = pd.concat([tweets[tweets["split"] == "train"].head(n), tweets[tweets["split"] == "test"].head(n // 4)])
    data = data.reset_index(drop=True)
    labels = data["label"].to_numpy().copy()
    hide = np.random.default_rng(seed).random(len(labels)) > keep
    labels[hide] = UNLABELLED
    return data, labels, hide


def test_a_run_scores_every_row_and_measures_labelled_test_rows_only(tweets):
    data, labels, hide = _partial(tweets)
    run = train(data, labels, folds=3)
    assert len(run.scores) == len(data) and run.scores[["p_negative", "p_neutral", "p_positive"]].notna().all().all()
    test_known = (data["split"] == "test").to_numpy() & ~hide
    assert run.metrics["n"] == int(test_known.sum())
    assert sum(map(sum, run.metrics["confusion_matrix"])) == int(test_known.sum())
    assert run.metrics["labelled_train"] == int(((data["split"] == "train").to_numpy() & ~hide).sum())
    assert run.metrics["unlabelled"] == int(hide.sum())
    assert run.scores["issue_score"][hide].isna().all() and run.scores["issue_score"][~hide].notna().all()
    # The views agree: confusion and metrics over the labelled rows of a split.
    mask = (run.scores["split"] == "test").to_numpy()
    predicted = run.scores["predicted"].to_numpy()
    assert confusion(labels, predicted, mask).sum() == int(test_known.sum())
    assert metrics(labels, predicted, mask)["macro_f1"] == pytest.approx(run.metrics["macro_f1"])
    rows = table(run.scores, labels, np.zeros(len(labels), bool), np.flatnonzero(mask))
    assert set(rows.loc[rows["row"].isin(np.flatnonzero(hide)), "actual"]) == {""}
    assert rows["issue_score"].iloc[: int(test_known.sum())].notna().all()  # labelled first, most suspicious first


def test_too_few_labels_per_class_is_refused_with_the_counts(tweets):
    data, labels, _ = _partial(tweets, n=200)
    labels[:] = UNLABELLED
    labels[:3] = [0, 1, 2]
    with pytest.raises(TooFewLabelsError, match="1 negative, 1 neutral, 1 positive; it needs at least 5") as info:
        train(data, labels, min_per_class=5)
    assert info.value.counts == {"negative": 1, "neutral": 1, "positive": 1}


def test_label_counts_per_class_and_split():
    labels = np.array([0, 0, 1, UNLABELLED, 2, UNLABELLED, 1, UNLABELLED])
    split = np.array(["train", "train", "train", "train", "test", "test", "test", "train"])
    counts = label_counts(labels, split)
    assert counts.loc["negative"].tolist() == [2, 0, 2]
    assert counts.loc["neutral"].tolist() == [1, 1, 2]
    assert counts.loc["positive"].tolist() == [0, 1, 1]
    assert counts.loc["unlabelled"].tolist() == [2, 1, 3]
    assert label_names(np.array([0, UNLABELLED, 2])).tolist() == ["negative", "", "positive"]


@pytest.fixture
def workspace(tmp_path):
    return Workspace(make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}"), tmp_path)


def test_an_answer_labels_an_unlabelled_row_and_refuses_a_row_answered_meanwhile(workspace):
    data = pd.DataFrame(
        {"text": ["up", "down", "flat", "?"], "label": [2, 0, 1, UNLABELLED], "split": ["train"] * 3 + ["test"]}
    )
    dataset_id = workspace.save_dataset(data)
    batch = workspace.answer(dataset_id, 3, "positive", expected="")
    assert workspace.labels(dataset_id)[0].tolist() == [2, 0, 1, 2]
    history = workspace.corrections.history(dataset_id)
    assert history[["row", "old_label", "new_label"]].values.tolist() == [[3, "", "positive"]]
    # A second user who was shown row 3 as unlabelled answers later: refused, the first answer stays.
    with pytest.raises(SelectionError, match="Row 3 is positive now .*not stored"):
        workspace.answer(dataset_id, 3, "negative", expected="")
    with pytest.raises(SelectionError, match="not in this dataset"):
        workspace.answer(dataset_id, 99, "negative", expected="")
    with pytest.raises(SelectionError, match="not one of"):
        workspace.answer(dataset_id, 2, "bullish!", expected="neutral")
    assert len(workspace.corrections.history(dataset_id)) == 1
    assert workspace.labels(dataset_id)[0].tolist() == [2, 0, 1, 2]
    # Undo takes back exactly that answer, even when another batch came after it.
    workspace.relabel(dataset_id, [0], "neutral")
    assert workspace.undo_answer(dataset_id, batch) == 1
    assert workspace.labels(dataset_id)[0].tolist() == [1, 0, 1, UNLABELLED]
    assert workspace.undo_answer(dataset_id, batch) == 0
    with pytest.raises(SelectionError, match="lost track"):
        workspace.undo_answer(dataset_id, "1; DROP TABLE")
    assert "\n?,,test," in workspace.corrected_csv(dataset_id)  # exported with an empty label


def test_cli_trains_on_labelled_rows_and_measures_labelled_test_rows(tmp_path, capsys):
    import json

    from models.sentiment.__main__ import main

    words = {"negative": "loss plunge miss", "neutral": "meeting agenda report", "positive": "gain soar beat"}
    rows = [(f"{w} {i}", label) for label, w in words.items() for i in range(6)]
    train = pd.DataFrame(rows + [(f"gain agenda {i}", "") for i in range(5)], columns=["text", "label"])
    test = pd.DataFrame(
        [("loss again", "negative"), ("soar again", "positive"), ("who knows", "")], columns=["text", "label"]
    )
    train.to_csv(tmp_path / "train.csv", index=False)
    test.to_csv(tmp_path / "test.csv", index=False)
    assert main(["train", "--train", str(tmp_path / "train.csv"), "--test", str(tmp_path / "test.csv"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n"] == 2 and np.sum(out["confusion_matrix"]) == 2  # the unlabelled test row is not measured


def test_the_triangle_draws_unlabelled_rows_as_their_own_trace_unless_hidden():
    from webapp.components.sentiment_figures import UNLABELLED_COLOUR, triangle_figure

    scores = pd.DataFrame(
        {
            "row": [0, 1, 2, 3],
            "text": ["a", "b", "c", "d"],
            "p_negative": [0.8, 0.1, 0.3, 0.2],
            "p_neutral": [0.1, 0.8, 0.3, 0.2],
            "p_positive": [0.1, 0.1, 0.4, 0.6],
            "predicted": [0, 1, 2, 2],
        }
    )
    labels = np.array([0, 1, UNLABELLED, UNLABELLED])
    points = {t.name: len(t.x) for t in triangle_figure(scores, labels, "t").data if t.type == "scattergl"}
    assert points == {"actual negative": 1, "actual neutral": 1, "actual positive": 0, "unlabelled": 2}
    unlabelled = [t for t in triangle_figure(scores, labels, "t").data if t.name == "unlabelled"][0]
    assert unlabelled.marker.color == UNLABELLED_COLOUR and unlabelled.marker.symbol == "circle-open"
    hidden = {t.name for t in triangle_figure(scores, labels, "t", show_unlabelled=False).data}
    assert "unlabelled" not in hidden
