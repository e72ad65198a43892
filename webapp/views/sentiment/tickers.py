"""Sentiment over time by ticker: the per-day (or per-hour) score of the most mentioned cashtags, and its export.

A click on a point selects that ticker's tweets of that day (``selection.select_cell`` owns every way of choosing
the table's tweets); this module draws the view and exports the series.
"""

from __future__ import annotations

from dash import Input, Output, State, callback, ctx, dcc

from models.sentiment.selection import SelectionError
from models.sentiment.tickers import (
    FREQS,
    check_tickers,
    normalise_freq,
    score_series,
    series_csv,
    ticker_counts,
    unavailable,
)
from webapp import ids as shell_ids
from webapp import services
from webapp.components.sentiment_figures import empty_figure
from webapp.components.theme import themed
from webapp.components.ticker_figures import ticker_series_figure
from webapp.views.sentiment.common import checked_run, guarded
from webapp.views.sentiment.ids import FREQ, RUN, TICKERS, TIMES, TIMES_DOWNLOAD, TIMES_EXPORT, TIMES_NOTE

SHOWN_AT_FIRST = 5
SHOWN_IN_LIST = 15  # the checklist offers the most mentioned; the API serves any ticker


@callback(
    output={
        "figure": Output(TIMES, "figure"),
        "options": Output(TICKERS, "options"),
        "chosen": Output(TICKERS, "value"),
        "note": Output(TIMES_NOTE, "children"),
    },
    inputs={
        "run_info": Input(RUN, "data"),
        "chosen": Input(TICKERS, "value"),
        "freq": Input(FREQ, "value"),
        "theme": State(shell_ids.THEME_STORE, "data"),
    },
    prevent_initial_call=True,
)
@guarded
def render_times(run_info, chosen, freq, theme):
    """The chosen tickers' score over time; a new dataset (or run) starts from its most mentioned tickers."""
    workspace = services.sentiment()
    dataset_id, run_id = checked_run(workspace, run_info)
    dataset, found = workspace.dataset(dataset_id), workspace.mentions(dataset_id, run_id)
    reason = unavailable(dataset, found)
    if reason:
        return {"figure": themed(empty_figure(reason), theme), "options": [], "chosen": [], "note": reason}
    counts = ticker_counts(found)
    if ctx.triggered_id == TICKERS:
        chosen = check_tickers(found, chosen or [])
    else:  # a dataset or run was chosen: keep the user's tickers this data has, else its most mentioned ones
        known = {t for t, _ in counts} | set(found["ticker"])
        kept = [t for t in chosen or [] if isinstance(t, str) and t in known]
        chosen = kept or [t for t, _ in counts[:SHOWN_AT_FIRST]]
    freq = normalise_freq(freq or "D")
    series = score_series(found, freq, chosen)
    untimed = int(dataset["time"].isna().sum())
    note = (
        f"{found['row'].nunique():,} tweets with a time mention {found['ticker'].nunique():,} tickers"
        + (f"; {untimed:,} row(s) without a readable time are left out" if untimed else "")
        + ". Click a point to list that day's tweets in the table."
    )
    figure = ticker_series_figure(series, chosen, freq) if chosen else empty_figure("Choose tickers to draw.")
    return {
        "figure": themed(figure, theme),
        "options": [{"label": f"${t} ({n:,})", "value": t} for t, n in counts[:SHOWN_IN_LIST]],
        "chosen": chosen,
        "note": note,
    }


@callback(
    Output(TIMES_DOWNLOAD, "data"),
    inputs={
        "_clicks": Input(TIMES_EXPORT, "n_clicks"),
        "run_info": State(RUN, "data"),
        "chosen": State(TICKERS, "value"),
        "freq": State(FREQ, "value"),
    },
    prevent_initial_call=True,
)
@guarded
def export_series(_clicks, run_info, chosen, freq):
    """The drawn tickers' series as CSV (ticker, period, score, n, sd, low, high)."""
    workspace = services.sentiment()
    dataset_id, run_id = checked_run(workspace, run_info)
    found = workspace.mentions(dataset_id, run_id)
    reason = unavailable(workspace.dataset(dataset_id), found)
    if reason:
        raise SelectionError(reason)
    freq = normalise_freq(freq or "D")
    series = score_series(found, freq, check_tickers(found, chosen or []) or None)
    return dcc.send_string(series_csv(series), f"sentiment-by-ticker-{FREQS[freq]}.csv")
