import io

import numpy as np
import pandas as pd
import pytest

from models.sentiment.data import DataError, labelled, read_table
from models.sentiment.labels import LabelError


def test_tweets_keep_the_public_split_and_label_codes(tweets):
    counts = tweets.groupby("split")["label"].value_counts().unstack()
    # PROVENANCE.md: train 1442 bearish, 6178 neutral, 1923 bullish; valid 347 / 1566 / 475.
    assert counts.loc["train"].tolist() == [1442, 6178, 1923]
    assert counts.loc["test"].tolist() == [347, 1566, 475]
    assert tweets["text"].str.contains("\n").any()  # quoted multi-line texts read as one row


def test_csv_with_other_columns_and_label_names():
    table = read_table(b"id;tweet;sentiment\n1;Stocks up;Bullish\n2;Stocks down;bearish\n3;Flat;neutral\n", "t.csv")
    data, notes = labelled(table.frame, "tweet", "sentiment", test_size=1 / 3, check_splits=False)
    assert data["label"].tolist() == [2, 0, 1] and notes == []


def test_parquet_upload(tmp_path):
    buffer = io.BytesIO()
    pd.DataFrame({"t": ["a", "b"], "y": [0, 1]}).to_parquet(buffer)
    table = read_table(buffer.getvalue(), "x.parquet")
    assert list(table.frame.columns) == ["t", "y"]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "is empty"),
        (b"\x00\x01\x02binary", "looks binary"),
        (b"PAR1garbage", "not a readable Parquet"),
        (b"justonecolumn\nx\n", "at least two columns"),
        (b'text,label\n"unclosed,1\n', "not a readable CSV"),
    ],
)
def test_unreadable_files_get_a_reason(content, message):
    with pytest.raises(DataError, match=message):
        read_table(content, "up.csv")


def test_non_utf8_bytes_are_replaced_with_a_note():
    table = read_table("text,label\ncaf\u00e9,positive\n".encode("latin-1"), "l1.csv")
    assert table.frame.loc[0, "text"] == "caf\ufffd"
    assert "not valid UTF-8" in table.notes[0]


def test_missing_columns_and_same_column():
    frame = pd.DataFrame({"text": ["a"], "label": ["positive"]})
    with pytest.raises(DataError, match="no column 'tweet'"):
        labelled(frame, "tweet", "label")
    with pytest.raises(DataError, match="different columns"):
        labelled(frame, "text", "text")


def test_empty_texts_are_dropped_and_counted_with_source_rows():
    frame = pd.DataFrame(
        {
            "text": ["good", "  ", "bad", "", "flat", "ok", "meh", "up"],
            "label": ["positive", "neutral", "negative", "neutral", "neutral", "positive", "negative", "positive"],
        }
    )
    data, notes = labelled(frame, "text", "label", test_size=0.3)
    assert notes == ["2 row(s) with an empty text were left out."]
    assert data["source_row"].tolist() == [0, 2, 4, 5, 6, 7]


def test_labels_outside_the_classes():
    frame = pd.DataFrame({"text": ["a", "b"], "label": ["positive", "meh"]})
    with pytest.raises(LabelError) as info:
        labelled(frame, "text", "label")
    assert info.value.unknown == ["meh"]


def test_seeded_stratified_split():
    frame = pd.DataFrame(
        {"text": [f"t{i}" for i in range(100)], "label": ["negative"] * 20 + ["neutral"] * 50 + ["positive"] * 30}
    )
    a, _ = labelled(frame, "text", "label", test_size=0.2, seed=1)
    b, _ = labelled(frame, "text", "label", test_size=0.2, seed=1)
    assert a["split"].tolist() == b["split"].tolist()
    test = a[a["split"] == "test"]
    assert np.bincount(test["label"]).tolist() == [4, 10, 6]


def test_split_column_values_are_checked():
    frame = pd.DataFrame({"text": ["a", "b", "c"], "label": ["positive"] * 3, "s": ["train", "Valid", "holdout"]})
    with pytest.raises(DataError, match="'holdout'"):
        labelled(frame, "text", "label", split_column="s")
    frame["s"] = ["train", "train", "train"]
    with pytest.raises(DataError, match="test split is empty"):
        labelled(frame, "text", "label", split_column="s")
