import pandas as pd
import pytest

from models.sentiment.labels import LABELS, LabelError, parse_label_map, to_codes
from models.sentiment.text import tokenize


@pytest.mark.parametrize(
    "text, expected",
    [
        ("$AAPL and $brk.b up", ["$aapl", "and", "$brk.b", "up"]),
        (
            "EPS 1.25 vs -0.3, revenue +12% and 1,200 jobs",
            ["eps", "1.25", "vs", "-0.3", "revenue", "+12%", "and", "1,200", "jobs"],
        ),
        ("Profit isn't great, not good, no deal", ["profit", "isn't", "great", "not", "good", "no", "deal"]),
        ("Read https://t.co/AbC123 now www.example.com", ["read", "now"]),
        ("I a", ["i", "a"]),
    ],
)
def test_tokenize_keeps_tickers_numbers_negations_and_drops_links(text, expected):
    assert tokenize(text) == expected


def test_labels_as_names_in_any_case_and_market_words():
    codes = to_codes(pd.Series(["Negative", "NEUTRAL", " positive ", "bearish", "Bullish"]))
    assert [LABELS[c] for c in codes] == ["negative", "neutral", "positive", "negative", "positive"]


def test_integer_codes_need_a_mapping_and_the_error_names_them():
    with pytest.raises(LabelError) as info:
        to_codes(pd.Series([0, 1, 2, 7]))
    assert info.value.unknown == ["0", "1", "2", "7"]
    assert "0=negative" in str(info.value)
    codes = to_codes(pd.Series([0, 1, 2.0]), {"0": "negative", "1": "positive", "2": "neutral"})
    assert [LABELS[c] for c in codes] == ["negative", "positive", "neutral"]


def test_missing_labels_are_reported():
    with pytest.raises(LabelError, match="1 label"):
        to_codes(pd.Series(["positive", None]))


@pytest.mark.parametrize("bad", ["0negative", "0=good", "=neutral"])
def test_bad_label_maps_are_refused(bad):
    with pytest.raises(LabelError, match="value=class"):
        parse_label_map(bad)


def test_label_map_accepts_synonyms():
    assert parse_label_map("0=Bearish, 1=bullish,2=neutral") == {"0": "negative", "1": "positive", "2": "neutral"}
