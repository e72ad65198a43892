"""Sentiment over time by ticker: cashtags in the texts, and per ticker and day (or hour) the mean model score.

A tweet's score is P(positive) − P(negative) under the current model, in [−1, 1]; a ticker's score for a period
is the mean over the tweets that mention it then, with the count and a normal-approximation 95% band
(mean ± 1.96·sd/√n). Every row counts, labelled or not: the score comes from the model, not from the labels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.sentiment.selection import SelectionError

# A cashtag: "$" then 1-6 letters, optionally ".X"/".XX" (class shares: $BRK.B), not preceded by a word character
# or "$" (US$5, a$b), not followed by one ($AAPL1), and not a number ($5). URLs are blanked first, so a "$" in a
# link's path or query never counts.
CASHTAG = r"(?<![\w$])\$(?P<ticker>[A-Za-z]{1,6}(?:\.[A-Za-z]{1,2})?)(?![\w.]*\w)"
_URL = r"(?:https?://|www\.)\S+"
FREQS = {"D": "day", "h": "hour"}
Z95 = 1.96


class TickerError(SelectionError):
    """A ticker, a period or a frequency a client named that the data does not have; the message says which."""


def cashtags(texts: pd.Series) -> pd.DataFrame:
    """Every (row, ticker) pair: each ticker once per text, upper-cased.

    Args:
        texts: The texts, indexed by row id.

    Returns:
        DataFrame with columns ``row`` (the texts' index) and ``ticker`` (str), in row order.
    """
    clean = texts.astype("string").fillna("").str.replace(_URL, " ", regex=True)
    found = clean.str.extractall(CASHTAG)
    if found.empty:
        return pd.DataFrame({"row": pd.Series(dtype=texts.index.dtype), "ticker": pd.Series(dtype=object)})
    out = pd.DataFrame(
        {"row": found.index.get_level_values(0), "ticker": found["ticker"].str.upper().astype(object).to_numpy()}
    )
    return out.drop_duplicates(ignore_index=True)


def normalise_freq(freq) -> str:
    """``"D"``/``"d"``/``"day"`` → ``"D"``, ``"H"``/``"h"``/``"hour"`` → ``"h"``.

    Raises:
        TickerError: any other value.
    """
    value = str(freq).strip() if isinstance(freq, str) else ""
    key = {"d": "D", "day": "D", "daily": "D", "h": "h", "hour": "h", "hourly": "h"}.get(value.lower())
    if key is None:
        raise TickerError(f"freq must be D (daily) or H (hourly), not {str(freq)[:20]!r}.")
    return key


def dataset_mentions(dataset: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """``mentions`` of a dataset (see ``models.sentiment.data``) under a run's scores; empty without a time column."""
    times = dataset["time"] if "time" in dataset.columns else pd.Series(pd.NaT, index=dataset.index)
    return mentions(dataset["text"], times, scores)


def unavailable(dataset: pd.DataFrame, found: pd.DataFrame) -> str | None:
    """Why there is no sentiment over time for this dataset, as a sentence for the user; None when there is."""
    if "time" not in dataset.columns:
        return (
            "This dataset has no time column, so there is no sentiment over time. Upload a CSV with one "
            "(ISO 8601, Twitter's created_at or epoch seconds) and pick it as the time column."
        )
    if not dataset["time"].notna().any():
        return "No row of this dataset has a readable time, so there is no sentiment over time."
    if found.empty:
        return "No tweet with a time mentions a cashtag ($AAPL, $BRK.B), so there is no ticker to follow over time."
    return None


def mentions(texts: pd.Series, times: pd.Series, scores: pd.DataFrame) -> pd.DataFrame:
    """One row per (tweet, ticker) with a time: the tweet's time and score.

    Args:
        texts, times: The dataset's texts and UTC times (NaT kept out), indexed by row id.
        scores: A run's scores (``p_negative`` and ``p_positive``), in the same row order.

    Returns:
        DataFrame with columns ``row``, ``ticker``, ``time`` (UTC), ``score`` (P(pos) − P(neg)).
    """
    tags = cashtags(texts.reset_index(drop=True))
    rows = tags["row"].to_numpy()
    score = (scores["p_positive"].to_numpy() - scores["p_negative"].to_numpy())[rows]
    out = tags.assign(time=times.to_numpy()[rows], score=score)
    return out[out["time"].notna()].reset_index(drop=True)


def top_tickers(found: pd.DataFrame, k: int = 8) -> list[str]:
    """The ``k`` most mentioned tickers (ties by name), from ``mentions``."""
    counts = found.groupby("ticker").size().reset_index(name="n").sort_values(["n", "ticker"], ascending=[False, True])
    return counts["ticker"].head(k).tolist()


def score_series(found: pd.DataFrame, freq: str = "D", tickers: list[str] | None = None) -> pd.DataFrame:
    """Per ticker and period (UTC day or hour), the mean score, its count and 95% band.

    Args:
        found: ``mentions``.
        freq: ``"D"`` or ``"h"`` (see ``normalise_freq``).
        tickers: Only these (all when None).

    Returns:
        DataFrame with columns ``ticker``, ``period`` (UTC start of the day or hour), ``score`` (mean),
        ``n``, ``sd`` (sample standard deviation; NaN when n = 1), ``low`` and ``high`` (score ∓ 1.96·sd/√n;
        equal to the score when n = 1, where no spread is known), sorted by ticker then period.
    """
    freq = normalise_freq(freq)
    if tickers is not None:
        found = found[found["ticker"].isin(tickers)]
    grouped = found.assign(period=found["time"].dt.floor(freq)).groupby(["ticker", "period"])["score"]
    out = grouped.agg(score="mean", n="size", sd="std").reset_index()
    half = (Z95 * out["sd"] / np.sqrt(out["n"])).fillna(0.0)
    out["low"], out["high"] = out["score"] - half, out["score"] + half
    return out.sort_values(["ticker", "period"], ignore_index=True)


def period_start(period, freq: str = "D") -> pd.Timestamp:
    """The UTC start of the day (or hour) holding ``period`` (ISO 8601; no offset means UTC).

    Raises:
        TickerError: ``period`` is not a time (a crafted click).
    """
    freq = normalise_freq(freq)
    try:
        start = pd.Timestamp(period) if isinstance(period, str) else pd.NaT
    except (TypeError, ValueError, OverflowError):
        start = pd.NaT
    if pd.isna(start):
        raise TickerError(f"The period {str(period)[:40]!r} is not a day or hour.")
    start = start.tz_localize("UTC") if start.tzinfo is None else start.tz_convert("UTC")
    return start.floor(freq)


def period_rows(found: pd.DataFrame, ticker, period, freq: str = "D") -> np.ndarray:
    """Row ids of the tweets mentioning ``ticker`` in the day (or hour) starting at ``period``.

    Raises:
        TickerError: the ticker is not in the data, ``period`` is not a time, or no tweet mentions the ticker
            then (a crafted click).
    """
    freq = normalise_freq(freq)
    if not isinstance(ticker, str) or ticker not in set(found["ticker"]):
        raise TickerError(f"No tweet mentions the ticker {str(ticker)[:20]!r}.")
    start = period_start(period, freq)
    mine = found[(found["ticker"] == ticker) & (found["time"].dt.floor(freq) == start)]
    if mine.empty:
        raise TickerError(f"No tweet mentions ${ticker} in the {FREQS[freq]} starting {start.isoformat()}.")
    return np.unique(mine["row"].to_numpy())


def series_csv(series: pd.DataFrame) -> str:
    """The series as CSV (period in ISO 8601 with its offset), for the page's export and the API."""
    out = series.assign(period=series["period"].map(lambda t: t.isoformat()))
    return out[["ticker", "period", "score", "n", "sd", "low", "high"]].to_csv(index=False, float_format="%.6g")


def ticker_counts(found: pd.DataFrame, k: int = 40) -> list[tuple[str, int]]:
    """The ``k`` most mentioned tickers with their number of tweets, most first (ties by name)."""
    counts = found.groupby("ticker").size().reset_index(name="n").sort_values(["n", "ticker"], ascending=[False, True])
    return list(zip(counts["ticker"].head(k), counts["n"].head(k).astype(int)))


def check_tickers(found: pd.DataFrame, chosen) -> list[str]:
    """The tickers a client chose, each checked to be in the data (in the order given, duplicates dropped).

    Raises:
        TickerError: not a list of strings, or a ticker no tweet with a time mentions.
    """
    if isinstance(chosen, str):
        chosen = [chosen]
    if not isinstance(chosen, list | tuple) or not all(isinstance(t, str) for t in chosen):
        raise TickerError("Tickers must be a list of names such as AAPL.")
    known = set(found["ticker"])
    missing = [t for t in chosen if t not in known]
    if missing:
        raise TickerError(f"No tweet with a time mentions the ticker {missing[0][:20]!r}.")
    return list(dict.fromkeys(chosen))
