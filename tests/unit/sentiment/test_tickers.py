"""Cashtags, the per-ticker score series (checked against a plain pandas groupby), times with their timezones and
the semicolon upload with multi-line texts, ids and times."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.sentiment.data import DataError, labelled, read_table
from models.sentiment.labels import LABELS
from models.sentiment.tickers import (
    TickerError,
    cashtags,
    check_tickers,
    mentions,
    normalise_freq,
    period_rows,
    score_series,
    series_csv,
    top_tickers,
    unavailable,
)
from models.sentiment.times import parse_times
from tests.ticker_data import TICKERS, ticker_csv, ticker_rows


@pytest.mark.parametrize(
    "text, expected",
    [
        ("$AAPL beats estimates", ["AAPL"]),
        ("Berkshire $brk.b and $BRK.A", ["BRK.B", "BRK.A"]),
        ("costs $5 and $5.20 now", []),
        ("US$AAPL and a$b are not cashtags", []),
        ("see https://example.com/q?s=$TSLA and www.x.com/$MSFT", []),
        ("$AAPL up, $AAPL again (once per tweet)", ["AAPL"]),
        ("($nvda), $GOOGL's plan; $amzn.", ["NVDA", "GOOGL", "AMZN"]),
        ("$AAPL1 $TOOLONGX $META.com", []),
        ("$$AAPL and $", []),
        ("line one\n$TSLA on line two", ["TSLA"]),
        ("", []),
    ],
)
def test_cashtags(text, expected):
    found = cashtags(pd.Series([text]))
    assert found["ticker"].tolist() == expected
    assert (found["row"] == 0).all()


def test_cashtags_keep_the_row_ids_of_every_mention():
    found = cashtags(pd.Series(["$A and $B", "none", "$b again"]))
    assert list(zip(found["row"], found["ticker"])) == [(0, "A"), (0, "B"), (2, "B")]


def _toy(seed=1, n=400):
    """Texts with cashtags, random times over three days in mixed offsets, random probabilities."""
    rng = np.random.default_rng(seed)
    names = ["AAPL", "TSLA", "BRK.B"]
    texts = [
        " ".join("$" + t for t in rng.choice(names, size=rng.integers(0, 3), replace=False)) + " news" for _ in range(n)
    ]
    times = pd.Series(pd.Timestamp("2026-11-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 72 * 60, n), "min"))
    times[rng.random(n) < 0.05] = pd.NaT
    proba = rng.dirichlet(np.ones(3), n)
    scores = pd.DataFrame(proba, columns=[f"p_{label}" for label in LABELS])
    return pd.Series(texts), times, scores


@pytest.mark.parametrize("freq", ["D", "h"])
def test_score_series_matches_a_plain_groupby(freq):
    texts, times, scores = _toy()
    series = score_series(mentions(texts, times, scores), freq)
    # Independently: one record per (tweet, ticker) built with a Python loop, then pandas groupby.
    records = []
    for i, text in enumerate(texts):
        for ticker in dict.fromkeys(w[1:] for w in text.split() if w.startswith("$")):
            if pd.notna(times[i]):
                records.append((ticker, times[i].floor(freq), scores["p_positive"][i] - scores["p_negative"][i]))
    plain = pd.DataFrame(records, columns=["ticker", "period", "s"])
    expected = plain.groupby(["ticker", "period"])["s"].agg(["mean", "count", "std"]).reset_index()
    assert len(series) == len(expected) >= 9  # 3 tickers × 3 days, or many hours
    assert series["ticker"].tolist() == expected["ticker"].tolist()
    assert (series["period"] == expected["period"]).all()
    np.testing.assert_allclose(series["score"], expected["mean"])
    np.testing.assert_array_equal(series["n"], expected["count"])
    half = 1.96 * expected["std"] / np.sqrt(expected["count"])
    np.testing.assert_allclose(series["high"] - series["score"], half.fillna(0), atol=1e-12)
    np.testing.assert_allclose(series["score"] - series["low"], half.fillna(0), atol=1e-12)
    assert series["score"].between(-1, 1).all()


def test_score_series_for_some_tickers_and_the_most_mentioned():
    texts, times, scores = _toy()
    found = mentions(texts, times, scores)
    assert set(score_series(found, "D", ["TSLA"])["ticker"]) == {"TSLA"}
    counts = found["ticker"].value_counts()
    assert top_tickers(found, 2) == counts.sort_values(ascending=False).index[:2].tolist()
    csv = series_csv(score_series(found, "D", ["AAPL"]))
    assert csv.splitlines()[0] == "ticker,period,score,n,sd,low,high"
    assert csv.splitlines()[1].startswith("AAPL,2026-11-01T00:00:00+00:00,")


def test_period_rows_and_crafted_choices():
    texts, times, scores = _toy()
    found = mentions(texts, times, scores)
    day = pd.Timestamp("2026-11-02", tz="UTC")
    rows = period_rows(found, "TSLA", "2026-11-02T00:00:00+00:00", "D")
    expected = [i for i, t in enumerate(texts) if "$TSLA" in t and pd.notna(times[i]) and times[i].floor("D") == day]
    assert rows.tolist() == expected
    # An offset names the same UTC day; an hour within it too.
    assert period_rows(found, "TSLA", "2026-11-02T05:00:00+05:00", "D").tolist() == expected
    with pytest.raises(TickerError, match="No tweet mentions the ticker 'ZZZ'"):
        period_rows(found, "ZZZ", "2026-11-02", "D")
    with pytest.raises(TickerError, match="is not a day or hour"):
        period_rows(found, "TSLA", "not a day", "D")
    with pytest.raises(TickerError, match="is not a day or hour"):
        period_rows(found, "TSLA", {"$gt": 1}, "D")
    with pytest.raises(TickerError, match=r"No tweet mentions \$TSLA in the day starting 2030-01-01"):
        period_rows(found, "TSLA", "2030-01-01", "D")
    with pytest.raises(TickerError, match="freq must be D"):
        normalise_freq("W")
    with pytest.raises(TickerError, match="No tweet with a time mentions the ticker 'ZZZ'"):
        check_tickers(found, ["AAPL", "ZZZ"])
    with pytest.raises(TickerError, match="list of names"):
        check_tickers(found, [{"x": 1}])
    assert check_tickers(found, ["AAPL", "AAPL", "TSLA"]) == ["AAPL", "TSLA"]


def test_times_with_their_timezones():
    parsed = parse_times(
        pd.Series(
            [
                "2026-11-30T05:29:50+02:00",
                "Mon Nov 30 05:29:50 +0000 2026",
                "Mon Nov 30 05:29:50 -0500 2026",
                "1796016590",
                "1796016590000",
                "2026-11-30T05:29:50Z",
                "2026-11-30 05:29:50",
                "2026-11-30",
                "yesterday",
                "",
            ]
        )
    )
    expected = pd.to_datetime(
        [
            "2026-11-30 03:29:50",
            "2026-11-30 05:29:50",
            "2026-11-30 10:29:50",
            "2026-11-30 05:29:50",
            "2026-11-30 05:29:50",
            "2026-11-30 05:29:50",
            "2026-11-30 05:29:50",
            "2026-11-30 00:00:00",
            None,
            None,
        ]
    ).tz_localize("UTC")
    pd.testing.assert_series_equal(parsed.times, pd.Series(expected).astype("datetime64[ns, UTC]"), check_index=False)
    assert (parsed.unparseable, parsed.empty, parsed.naive, parsed.examples) == (1, 1, 2, ("yesterday",))
    notes = parsed.notes("created_at")
    assert "1 unreadable (e.g. 'yesterday') and 1 empty value(s)" in notes[0]
    assert "left out of the time view" in notes[0]
    assert "2 value(s) had no timezone and were read as UTC" in notes[1]


def test_a_large_column_of_junk_times_is_counted_quickly():
    import time

    junk = pd.Series([f"junk {i}" for i in range(200_000)] + ["2026-11-30T05:00:00+01:00"])
    started = time.perf_counter()
    parsed = parse_times(junk)
    assert time.perf_counter() - started < 5  # a sample of 1,000 tried with dateutil, not 200,000
    assert parsed.unparseable == 200_000 and parsed.times.iloc[-1] == pd.Timestamp("2026-11-30 04:00", tz="UTC")


def test_semicolon_csv_with_multiline_texts_ids_times_and_labels_in_any_case():
    content = ticker_csv(n=60, seed=3, bad_times=4, plain=5)
    table = read_table(content, "team.csv")
    assert list(table.frame.columns) == ["tweet_id", "created_at", "Tweet", "Sentiment"]
    rows = ticker_rows(n=60, seed=3, bad_times=4, plain=5)
    assert len(table.frame) == len(rows) == 65
    assert any("\n" in r["Tweet"] for r in rows)
    assert table.frame["Tweet"].tolist() == [r["Tweet"] for r in rows]  # multi-line texts arrive whole
    dataset, notes = labelled(table.frame, "Tweet", "Sentiment", id_column="tweet_id", time_column="created_at")
    assert dataset["id"].tolist() == [r["tweet_id"] for r in rows]
    names = [LABELS[c] for c in dataset["label"]]
    assert names == [r["Sentiment"].lower() for r in rows]
    assert {r["Sentiment"] for r in rows} > {"Positive", "NEGATIVE", "neutral"}
    truth = pd.Series([r["when"] for r in rows], dtype="datetime64[ns, UTC]")
    pd.testing.assert_series_equal(dataset["time"], truth, check_names=False, check_dtype=False)
    assert "4 unreadable" in notes[0] and "left out of the time view" in notes[0]


def test_bad_column_choices_are_named():
    frame = read_table(ticker_csv(n=10, seed=1), "team.csv").frame
    with pytest.raises(DataError, match="no column 'when' for the time"):
        labelled(frame, "Tweet", "Sentiment", time_column="when")
    with pytest.raises(DataError, match="time column cannot be the text or the label"):
        labelled(frame, "Tweet", "Sentiment", time_column="Tweet")
    with pytest.raises(DataError, match="by its name"):
        labelled(frame, "Tweet", "Sentiment", id_column=["tweet_id"])


def test_the_view_says_why_it_cannot_draw():
    texts, times, scores = _toy()
    no_time = pd.DataFrame({"text": texts})
    assert "no time column" in unavailable(no_time, mentions(texts, pd.Series(pd.NaT, index=texts.index), scores))
    all_bad = pd.DataFrame({"text": texts, "time": pd.Series(pd.NaT, index=texts.index, dtype="datetime64[ns, UTC]")})
    assert "No row of this dataset has a readable time" in unavailable(
        all_bad, mentions(texts, all_bad["time"], scores)
    )
    plain = pd.Series(["no tags here"] * len(texts))
    no_tags = pd.DataFrame({"text": plain, "time": times})
    assert "mentions a cashtag" in unavailable(no_tags, mentions(plain, times, scores))
    timed = pd.DataFrame({"text": texts, "time": times})
    assert unavailable(timed, mentions(texts, times, scores)) is None


def test_the_generated_upload_has_the_tickers_and_their_drift():
    rows = ticker_rows(n=600, seed=0)
    found = cashtags(pd.Series([r["Tweet"] for r in rows]))
    assert set(found["ticker"]) == set(TICKERS)  # $ZZZZ only ever inside a URL, $5 never
