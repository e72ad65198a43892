"""A seeded, realistic team upload for the time-by-ticker tests: semicolon-delimited, quoted texts spanning lines,
its own tweet ids, times written three ways (ISO 8601 with offsets, Twitter's created_at, epoch seconds) plus a few
unreadable ones, cashtags ($AAPL, $brk.b ...) and labels in any case.

Generated, not committed: ``ticker_csv(seed)`` gives the same bytes for the same seed.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta, timezone

import numpy as np

TICKERS = ("AAPL", "TSLA", "MSFT", "BRK.B", "NVDA")
# Each ticker's chance of a positive tweet drifts from the first day to the last (AAPL rises, TSLA falls ...).
DRIFT = {"AAPL": (0.2, 0.8), "TSLA": (0.8, 0.15), "MSFT": (0.5, 0.5), "BRK.B": (0.4, 0.6), "NVDA": (0.6, 0.4)}
PHRASES = {
    "positive": (
        "shares soar after record profit",
        "beats estimates and raises guidance",
        "upgraded to buy, strong growth ahead",
        "rallies to an all-time high on strong demand",
    ),
    "negative": (
        "stock plunges on weak guidance",
        "misses estimates, shares tumble",
        "downgraded to sell amid falling sales",
        "slumps after profit warning",
    ),
    "neutral": (
        "to report quarterly earnings on Thursday",
        "announces annual shareholder meeting date",
        "files 10-Q with the SEC",
        "schedules conference call for next week",
    ),
}
CASES = {"positive": ("positive", "Positive", "POSITIVE"), "negative": ("negative", "NEGATIVE", "Negative")}
START = datetime(2026, 11, 2, tzinfo=UTC)
DAYS = 10
BAD_TIMES = ("yesterday", "n/a", "32/13/2026")


def ticker_rows(n: int = 600, seed: int = 0, bad_times: int = 6, plain: int = 20) -> list[dict]:
    """The upload's rows: ``tweet_id``, ``created_at``, ``Tweet``, ``Sentiment`` (and ``when``, the true UTC time).

    Args:
        n: Rows mentioning a ticker (a few mention two).
        bad_times: Rows whose time cannot be read.
        plain: Rows without any cashtag.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n + plain):
        day = int(rng.integers(DAYS))
        when = START + timedelta(days=day, hours=int(rng.integers(24)), minutes=int(rng.integers(60)))
        ticker = TICKERS[int(rng.integers(len(TICKERS)))] if i < n else None
        if ticker is None:
            label = "neutral"
        else:
            lo, hi = DRIFT[ticker]
            p_pos = lo + (hi - lo) * day / (DAYS - 1)
            u = rng.random()
            label = "positive" if u < p_pos * 0.8 else "neutral" if u < p_pos * 0.8 + 0.2 else "negative"
        phrase = PHRASES[label][int(rng.integers(len(PHRASES[label])))]
        tag = "" if ticker is None else ("$" + (ticker.lower() if ticker == "BRK.B" and i % 2 else ticker))
        text = f"{tag} {phrase}".strip() if ticker else f"Markets: {phrase}"
        if ticker and i % 7 == 0:
            text += ",\nmore at https://example.com/q?s=$ZZZZ"  # a second line, commas, a "$" inside a URL
        if ticker and i % 11 == 0:
            text = text.replace(phrase, phrase + f' ("{ticker.lower()}" said; costs $5)')
        label_text = CASES.get(label, ("neutral", "Neutral", "NEUTRAL"))[i % 3]
        style = i % 3
        if i < bad_times:
            created = BAD_TIMES[i % len(BAD_TIMES)]
        elif style == 0:
            offset = timezone(timedelta(hours=int(rng.integers(-8, 9))))
            created = when.astimezone(offset).isoformat()
        elif style == 1:
            created = when.strftime("%a %b %d %H:%M:%S +0000 %Y")
        else:
            created = str(int(when.timestamp()))
        rows.append(
            {
                "tweet_id": f"t{1000 + i}",
                "created_at": created,
                "Tweet": text,
                "Sentiment": label_text,
                "when": None if i < bad_times else when,
            }
        )
    return rows


def ticker_csv(n: int = 600, seed: int = 0, bad_times: int = 6, plain: int = 20) -> bytes:
    """``ticker_rows`` as a semicolon CSV, texts quoted when they need it (newlines, quotes, semicolons)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["tweet_id", "created_at", "Tweet", "Sentiment"])
    for row in ticker_rows(n, seed, bad_times, plain):
        writer.writerow([row["tweet_id"], row["created_at"], row["Tweet"], row["Sentiment"]])
    return out.getvalue().encode()
