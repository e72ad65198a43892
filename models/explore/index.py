"""A stock index's daily closes and what an interval of them says: return, volatility, trend."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from models.datasets import fetch_dataset

TRADING_DAYS = 252


def load_sp500(data_home: str | Path | None = None, mirror: str | Path | None = None) -> pd.DataFrame:
    """S&P 500 daily closes, 1927–2023. Returns a DataFrame with columns ``date`` (datetime64) and ``close``."""
    folder = fetch_dataset("sp500_daily", data_home=data_home, mirror=mirror)
    frame = pd.read_csv(folder / "GSPC.csv", usecols=["Date", "Close"], parse_dates=["Date"])
    return frame.rename(columns={"Date": "date", "Close": "close"})


def interval_stats(dates, close, start, end) -> dict | None:
    """Statistics of the closes with ``start <= date <= end``.

    Returns:
        ``None`` for fewer than 3 days, else ``start``/``end`` (first and last date), ``days``,
        ``total_return`` (last/first − 1), ``volatility`` (annualised std of daily log returns),
        ``slope`` (trend of log price per year), ``t`` (its t-statistic), and ``trend`` — the
        fitted close at the first and last date, for drawing the line.
    """
    dates = pd.DatetimeIndex(dates)
    close = np.asarray(close, dtype=np.float64)
    lo, hi = dates.searchsorted(pd.Timestamp(start)), dates.searchsorted(pd.Timestamp(end), side="right")
    if hi - lo < 3:
        return None
    # (A Timedelta ratio, not asi8: pandas 3 keeps parsed dates in seconds or ms, not always ns.)
    years = np.asarray((dates[lo:hi] - dates[lo]) / pd.Timedelta(days=365.25), dtype=np.float64)
    log_price = np.log(close[lo:hi])
    returns = np.diff(log_price)
    slope, intercept = np.polyfit(years, log_price, 1)
    residuals = log_price - (intercept + slope * years)
    n = len(years)
    se = np.sqrt(residuals @ residuals / (n - 2) / np.sum((years - years.mean()) ** 2)) if n > 2 else np.inf
    return {
        "start": dates[lo],
        "end": dates[hi - 1],
        "days": int(n),
        "total_return": float(close[hi - 1] / close[lo] - 1),
        "volatility": float(returns.std(ddof=1) * np.sqrt(TRADING_DAYS)) if len(returns) > 1 else 0.0,
        "slope": float(slope),
        "t": float(slope / se) if se > 0 else float("inf"),
        "trend": (float(np.exp(intercept)), float(np.exp(intercept + slope * years[-1]))),
    }
