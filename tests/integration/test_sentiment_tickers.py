"""The time view by ticker in a real browser: a team's semicolon CSV with multi-line texts and odd column names is
uploaded and its columns picked; the table shows the file's ids; the view draws one line per ticker; a click on a
day lists that ticker's tweets of that day."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dash.testing.wait import until

from tests.integration.browser import click as _click
from tests.integration.browser import client_point, pointer
from tests.integration.browser import plotly as _full
from tests.ticker_data import TICKERS, ticker_csv, ticker_rows

pytestmark = pytest.mark.browser
HEADER = b"ref;posted;msg;tone\n"  # names no guess knows: the user picks every column


def _grid_rows(dash_duo):
    return dash_duo.driver.execute_script(
        "const api = window.dash_ag_grid && dash_ag_grid.getApi('sentiment-table');"
        "if (!api) return null; const rows = []; api.forEachNodeAfterFilter(n => rows.push(n.data)); return rows;"
    )


def _lines(dash_duo):
    """The time view's line traces as drawn: name → number of points."""
    return _full(
        dash_duo,
        "sentiment-times",
        "Object.fromEntries(el._fullData.filter(t => t.mode === 'lines+markers').map(t => [t.name, t.x.length]))",
    )


def _pick(dash_duo, dropdown_id: str, value: str) -> None:
    dash_duo.select_dcc_dropdown(f"#{dropdown_id}", value=value)
    until(lambda: value in dash_duo.find_element(f"#{dropdown_id}").text, timeout=10)


def test_upload_pick_columns_see_ids_lines_per_ticker_and_a_days_tweets(dash_duo, app, tmp_path):
    n, seed = 1500, 2
    payload = HEADER + ticker_csv(n=n, seed=seed, bad_times=5, plain=10).split(b"\n", 1)[1]
    path = tmp_path / "team.csv"
    path.write_bytes(payload)
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/sentiment")
    dash_duo.wait_for_element("#sentiment-upload input[type=file]", timeout=60).send_keys(str(path))
    dash_duo.wait_for_contains_text(
        "#sentiment-message", f"{n + 10:,} rows, columns ref, posted, msg, tone", timeout=30
    )
    _pick(dash_duo, "sentiment-text-column", "msg")
    _pick(dash_duo, "sentiment-label-column", "tone")
    _pick(dash_duo, "sentiment-id-column", "ref")
    _pick(dash_duo, "sentiment-time-column", "posted")
    _click(dash_duo, "#sentiment-use-upload")
    dash_duo.wait_for_contains_text("#sentiment-message", f"Loaded {n + 10:,} tweets", timeout=30)
    assert "5 unreadable" in dash_duo.find_element("#sentiment-message").text

    # The first model trains in the background; then the table lists the test split under the file's own ids.
    until(lambda: len(_grid_rows(dash_duo) or []) > 0, timeout=300)
    ids = {r["id"] for r in _grid_rows(dash_duo)}
    assert ids <= {f"t{1000 + i}" for i in range(n + 10)} and len(ids) > 50
    shown = dash_duo.find_element("#sentiment-table .ag-row[row-index='0'] [col-id='id']").text
    assert shown in ids

    # One line per ticker, ten days each, and the note counting what was left out.
    until(lambda: _lines(dash_duo) == {f"${t}": 10 for t in TICKERS}, timeout=60)
    assert "5 row(s) without a readable time are left out" in dash_duo.find_element("#sentiment-times-note").text
    if os.environ.get("GLASSBOX_SCREENSHOT_DIR"):  # the README's picture of the view (bench/screenshots.py)
        card = dash_duo.find_element("#sentiment-times-card")
        dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", card)
        card.screenshot(str(Path(os.environ["GLASSBOX_SCREENSHOT_DIR"]) / "sentiment-time.png"))

    # A click on $TSLA's fourth day lists exactly that ticker's tweets of that day (ids as in the file).
    index = _full(dash_duo, "sentiment-times", "el._fullData.findIndex(t => t.name === '$TSLA')")
    point = client_point(
        dash_duo, "sentiment-times", f"l.xaxis.d2l(el._fullData[{index}].x[3])", f"el._fullData[{index}].y[3]"
    )
    pointer(dash_duo, [point, point])
    dash_duo.wait_for_contains_text("#sentiment-count", "tweets mentioning $", timeout=20)
    count = dash_duo.find_element("#sentiment-count").text  # the nearest point: $TSLA's, unless another overlaps
    ticker, day = count.split("mentioning $")[1].split(" on ")
    expected = {
        r["tweet_id"]
        for r in ticker_rows(n=n, seed=seed, bad_times=5, plain=10)
        if r["when"] is not None
        and f"{r['when']:%Y-%m-%d}" == day
        and ("$" + ticker.lower()) in r["Tweet"].lower().split("\n")[0].split(" ")[0:1]
    }
    until(lambda: {r["id"] for r in _grid_rows(dash_duo) or []} == expected, timeout=20)
    assert count.startswith(f"{len(expected)} tweets mentioning ${ticker} on {day}")
    assert dash_duo.get_logs() == []
