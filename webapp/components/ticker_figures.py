"""The Sentiment page's time view: per ticker, its daily (or hourly) score with a 95% band. Series in, figure out."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from models.sentiment.tickers import FREQS

# No red or green: on this page they mean negative and positive, and a ticker's line must not read as a verdict.
PALETTE = ("#3d8bfd", "#fd7e14", "#a370f7", "#0dcaf0", "#ffc107", "#d63384", "#8c564b", "#adb5bd")


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def ticker_series_figure(series: pd.DataFrame, tickers: list[str], freq: str = "D") -> go.Figure:
    """One line per ticker (mean score per period, markers sized by count) over its shaded 95% band.

    Args:
        series: ``models.sentiment.tickers.score_series`` (``ticker``, ``period``, ``score``, ``n``, ``low``,
            ``high``).
        tickers: The tickers to draw, in legend order.
        freq: ``"D"`` or ``"h"``, for the axis title.

    A point's ``customdata`` is ``[ticker, period as ISO 8601 UTC, n]``: a click names the ticker and the period.
    The bands skip hover, so a click always lands on a line's point.
    """
    figure = go.Figure()
    for k, ticker in enumerate(tickers):
        part = series[series["ticker"] == ticker]
        if part.empty:
            continue
        colour = PALETTE[k % len(PALETTE)]
        x = part["period"].dt.tz_convert("UTC").dt.tz_localize(None)
        figure.add_trace(
            go.Scatter(
                x=pd.concat([x, x.iloc[::-1]]),
                y=pd.concat([part["high"], part["low"].iloc[::-1]]),
                fill="toself",
                fillcolor=_rgba(colour, 0.12),
                line=dict(width=0),
                hoverinfo="skip",
                legendgroup=ticker,
                showlegend=False,
                name=f"${ticker} 95% band",
            )
        )
        figure.add_trace(
            go.Scatter(
                x=x,
                y=part["score"],
                mode="lines+markers",
                name=f"${ticker}",
                legendgroup=ticker,
                line=dict(color=colour, width=2),
                marker=dict(size=(4 + 2 * part["n"].clip(upper=64) ** 0.5).round(1), color=colour),
                customdata=list(
                    zip([ticker] * len(part), part["period"].map(lambda t: t.isoformat()), part["n"].astype(int))
                ),
                hovertemplate=(
                    "$%{customdata[0]} %{x}<br>score %{y:+.2f} (n = %{customdata[2]})<extra>click to list them</extra>"
                ),
            )
        )
    unit = FREQS.get(freq, "day")
    figure.update_layout(
        title=dict(
            text=f"Mean P(positive) − P(negative) per {unit}, 95% band — click a point to list its tweets",
            font=dict(size=14),
        ),
        xaxis=dict(title=f"{unit} (UTC)"),
        yaxis=dict(title="sentiment score", range=[-1.05, 1.05], zeroline=True),
        margin=dict(l=10, r=10, t=40, b=10),
        legend=dict(orientation="h", y=-0.2),
        hovermode="closest",
        clickmode="event",
        uirevision="times",
    )
    return figure
