"""The Sentiment walk-through defects of issue 12, watched on screen while they happen.

Each test starts from a data folder where the tweets' first model is already trained (trained once per session,
its database copied per test), except the first-visit test, which watches that training.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from pathlib import Path

import psutil
import pytest
from dash.testing import errors as dash_errors
from dash.testing.wait import until

from tests.integration.browser import click as _click
from tests.integration.browser import client_point as _client_point
from tests.integration.browser import pointer as _pointer
from tests.integration.test_sentiment_page import _click_cell, _grid_rows, _matrix

pytestmark = pytest.mark.browser
_SHOTS = Path(tempfile.gettempdir())  # screenshots to look at, outside the checkout

# Console warnings and errors, collected from the first script of every document on.
CAPTURE_CONSOLE = """
window.__console = [];
for (const level of ["warn", "error"]) {
    const original = console[level];
    console[level] = function (...args) { window.__console.push(level + ": " + args.join(" ")); original.apply(console, args); };
}
"""


@pytest.fixture(scope="session")
def trained_dir(tmp_path_factory):
    """A data folder whose database already holds the tweets' first model (run #1)."""
    from webapp import create_app, services

    folder = tmp_path_factory.mktemp("sentiment-trained")
    app = create_app({"TESTING": True, "DATA_DIR": str(folder), "SECRET_KEY": "test"})
    with app.server.app_context():
        services.sentiment().latest_run_id("tweets")
    return folder


@pytest.fixture
def app_config(tmp_path, trained_dir):
    data = tmp_path / "data"
    shutil.copytree(trained_dir, data, ignore=shutil.ignore_patterns("cache"))  # runs stay where they are (immutable)
    return {"TESTING": True, "DATA_DIR": str(data), "SECRET_KEY": "test"}


def _open(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CAPTURE_CONSOLE})
    dash_duo.driver.get(dash_duo.server_url + "/sentiment")
    until(lambda: _matrix(dash_duo) is not None, timeout=240)  # generous: the test machine is shared
    until(lambda: (_grid_rows(dash_duo) or []) != [], timeout=60)


def _page_rows(dash_duo):
    """The rows on the table page on screen, in screen order: [(row-index attribute, data)]."""
    return dash_duo.driver.execute_script(
        "const api = dash_ag_grid.getApi('sentiment-table'); const out = [];"
        "const first = api.paginationGetCurrentPage() * api.paginationGetPageSize();"
        "api.forEachNodeAfterFilterAndSort((n, i) => { if (i >= first && i < first + api.paginationGetPageSize())"
        " out.push([n.rowIndex, n.data]); }); return out;"
    )


def _check(dash_duo, row_index):
    """Tick a row's checkbox the way a user does."""
    dash_duo.driver.execute_script(f"dash_ag_grid.getApi('sentiment-table').ensureIndexVisible({row_index});")
    selector = f"#sentiment-table .ag-row[row-index='{row_index}'] .ag-selection-checkbox input"
    box = dash_duo.wait_for_element(selector, timeout=10)  # rows are drawn as they scroll into the grid's view
    _click(dash_duo, box)


def _relabel_to(dash_duo, label):
    dash_duo.driver.execute_script(
        f"const s = document.getElementById('sentiment-relabel-to'); s.value = '{label}';"
        "s.dispatchEvent(new Event('change', {bubbles: true}));"
    )


def _current_page(dash_duo):
    return dash_duo.driver.execute_script("return dash_ag_grid.getApi('sentiment-table').paginationGetCurrentPage();")


def _next_page(dash_duo):
    page = _current_page(dash_duo)
    _click(dash_duo, "#sentiment-table .ag-paging-button[aria-label='Next Page']")
    until(lambda: _current_page(dash_duo) == page + 1, timeout=10)


def _retrain(dash_duo, run):
    _click(dash_duo, "#sentiment-retrain")
    dash_duo.wait_for_contains_text("#sentiment-run-info", f"Model run #{run}", timeout=300)


def test_first_visit_shows_progress_while_the_first_model_trains(dash_duo, tmp_path):
    from webapp import create_app

    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "fresh"), "SECRET_KEY": "test"})
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/sentiment")
    status = "#sentiment-first-status"
    dash_duo.wait_for_contains_text(status, "Training the first model on 11,931 tweets", timeout=120)
    assert dash_duo.find_element("#sentiment-first-panel").is_displayed()
    assert _matrix(dash_duo) is None  # the indicator shows while the views are still empty
    until(lambda: _matrix(dash_duo) is not None, timeout=400)
    until(lambda: not dash_duo.find_element("#sentiment-first-panel").is_displayed(), timeout=30)
    assert sum(map(sum, _matrix(dash_duo))) == 2388
    assert dash_duo.get_logs() == []


def test_only_checked_rows_on_screen_are_relabelled_after_a_retrain(dash_duo, app):
    _open(dash_duo, app)
    page = _page_rows(dash_duo)
    neutral = [index for index, data in page if data["actual"] == "neutral"]
    for index in neutral[:2]:
        _check(dash_duo, index)
    dash_duo.wait_for_text_to_equal("#sentiment-relabel-rows", "2 checked rows", timeout=10)
    _retrain(dash_duo, 2)
    _next_page(dash_duo)  # the two checked rows are on page 1 now: out of sight
    index = next(i for i, data in _page_rows(dash_duo) if data["actual"] == "neutral")
    _check(dash_duo, index)
    # Before the click the button says what a click would change: the one row the user sees checked.
    dash_duo.wait_for_text_to_equal("#sentiment-relabel-rows", "1 checked row", timeout=10)
    _relabel_to(dash_duo, "positive")
    _click(dash_duo, "#sentiment-relabel-rows")
    dash_duo.wait_for_contains_text("#sentiment-message", "Relabelled 1 tweet(s) as positive", timeout=20)
    assert dash_duo.get_logs() == []


def test_relabelling_many_asks_first_naming_the_count(dash_duo, app):
    _open(dash_duo, app)
    before = _matrix(dash_duo)
    _relabel_to(dash_duo, "positive")
    dash_duo.wait_for_text_to_equal("#sentiment-relabel-all", "whole selection (2,388)", timeout=10)
    _click(dash_duo, "#sentiment-relabel-all")
    dash_duo.wait_for_contains_text("#sentiment-confirm-text", "Relabel 2,388 tweets as positive?", timeout=15)
    assert dash_duo.find_element("#sentiment-confirm-yes").is_displayed()
    dash_duo.driver.save_screenshot(str(_SHOTS / "sentiment-confirm.png"))
    _click(dash_duo, "#sentiment-confirm-no")
    dash_duo.wait_for_contains_text("#sentiment-message", "Nothing relabelled", timeout=15)
    assert _matrix(dash_duo) == before  # nothing changed

    _click_cell(dash_duo, 0, 2)  # a small cell: below the threshold, no question
    dash_duo.wait_for_contains_text("#sentiment-count", "actual negative, predicted positive", timeout=15)
    small = len(_grid_rows(dash_duo))
    assert small <= 50
    dash_duo.wait_for_text_to_equal("#sentiment-relabel-all", f"whole selection ({small})", timeout=10)
    _click(dash_duo, "#sentiment-relabel-all")
    dash_duo.wait_for_contains_text("#sentiment-message", f"Relabelled {small} tweet(s) as positive", timeout=15)

    _click(dash_duo, "#sentiment-show-all")
    dash_duo.wait_for_contains_text("#sentiment-count", "2,388 tweets in the test split", timeout=15)
    _relabel_to(dash_duo, "neutral")
    dash_duo.wait_for_text_to_equal("#sentiment-relabel-all", "whole selection (2,388)", timeout=10)
    _click(dash_duo, "#sentiment-relabel-all")
    dash_duo.wait_for_contains_text("#sentiment-confirm-text", "Relabel 2,388 tweets as neutral?", timeout=15)
    _click(dash_duo, "#sentiment-confirm-yes")
    dash_duo.wait_for_contains_text("#sentiment-message", "as neutral", timeout=20)
    until(lambda: sum(_matrix(dash_duo)[1]) == 2388, timeout=20)  # every tweet is neutral now
    assert dash_duo.get_logs() == []


def test_retrain_keeps_the_cell_the_lasso_and_the_table_page(dash_duo, app):
    _open(dash_duo, app)
    _click_cell(dash_duo, 1, 1)  # actual neutral, predicted neutral: ~1,400 tweets
    dash_duo.wait_for_contains_text("#sentiment-count", "actual neutral, predicted neutral", timeout=15)
    corners = [(-0.04, -0.04), (0.55, -0.04), (0.55, 0.95), (-0.04, 0.95)]
    path = [_client_point(dash_duo, "sentiment-triangle", x, y) for x, y in corners + corners[:1]]
    steps = [
        (a[0] + (b[0] - a[0]) * t / 5, a[1] + (b[1] - a[1]) * t / 5) for a, b in zip(path, path[1:]) for t in range(5)
    ]
    _pointer(dash_duo, steps + [path[-1]])
    dash_duo.wait_for_contains_text("#sentiment-count", "(lasso)", timeout=15)
    lassoed = len(_grid_rows(dash_duo))
    assert lassoed > 50  # more than one table page
    _next_page(dash_duo)
    _retrain(dash_duo, 2)
    count = dash_duo.find_element("#sentiment-count").text
    assert "actual neutral, predicted neutral" in count and "(lasso)" in count
    until(lambda: _current_page(dash_duo) == 1, timeout=10)  # still on page 2 (0-based 1)
    # The redrawn triangle still shows the lassoed tweets selected, and nothing cleared the lasso meanwhile.
    until(lambda: _triangle_selected(dash_duo) == lassoed, timeout=15)
    assert "(lasso)" in dash_duo.find_element("#sentiment-count").text
    assert len(_grid_rows(dash_duo)) == lassoed
    assert dash_duo.get_logs() == []


def _triangle_selected(dash_duo):
    """How many points the triangle on screen draws as selected (None: no selection drawn)."""
    return dash_duo.driver.execute_script(
        "const g = document.querySelector('#sentiment-triangle .js-plotly-plot');"
        "const traces = (g && g.data || []).filter(t => Array.isArray(t.selectedpoints));"
        "return traces.length ? traces.reduce((n, t) => n + t.selectedpoints.length, 0) : null;"
    )


def _new_job_processes(before: set[int]) -> list[psutil.Process]:
    """Python processes this test process started since ``before``: the background job (diskcache forks one)."""
    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            if child.pid not in before and child.exe() == psutil.Process().exe() and child.is_running():
                found.append(child)
        except psutil.Error:
            continue
    return found


def test_a_retrain_whose_process_dies_says_so_and_retry_completes_it(dash_duo, app):
    _open(dash_duo, app)
    dead = "#sentiment-retrain-dead"
    assert not dash_duo.find_element(dead).is_displayed()
    before = {child.pid for child in psutil.Process().children(recursive=True)}
    _click(dash_duo, "#sentiment-retrain")
    until(lambda: _new_job_processes(before), timeout=60)
    until(lambda: dash_duo.find_element("#sentiment-retrain").get_attribute("disabled"), timeout=30)
    for job in _new_job_processes(before):
        os.kill(job.pid, signal.SIGKILL)  # what the OOM killer or a crashed worker does
    dash_duo.wait_for_contains_text(dead, "The retrain stopped unexpectedly (its process ended)", timeout=10)
    assert dash_duo.find_element(dead).is_displayed()
    assert "Model run #1" in dash_duo.find_element("#sentiment-run-info").text  # nothing was retrained
    assert dash_duo.find_element("#sentiment-progress").text.strip() == ""  # no stale "fitting the model"
    dash_duo.driver.save_screenshot(str(_SHOTS / "sentiment-retrain-dead.png"))
    _click(dash_duo, "#sentiment-retrain-retry")
    until(lambda: not dash_duo.find_element(dead).is_displayed(), timeout=10)
    dash_duo.wait_for_contains_text("#sentiment-run-info", "Model run #2", timeout=300)
    dash_duo.wait_for_contains_text("#sentiment-message", "Retrained: model run #2", timeout=30)
    assert not dash_duo.find_element(dead).is_displayed()  # a job that answered is not reported as dead
    assert not dash_duo.find_element("#sentiment-retrain").get_attribute("disabled")


def test_a_retrain_stopped_by_the_user_is_not_reported_as_dead(dash_duo, app):
    _open(dash_duo, app)
    _click(dash_duo, "#sentiment-retrain")
    until(lambda: not dash_duo.find_element("#sentiment-cancel").get_attribute("disabled"), timeout=30)
    _click(dash_duo, "#sentiment-cancel")
    until(lambda: not dash_duo.find_element("#sentiment-retrain").get_attribute("disabled"), timeout=30)
    with pytest.raises(
        dash_errors.TestingTimeoutError
    ):  # the check runs 1.5 s after the job ends: give it time to (wrongly) fire
        until(lambda: dash_duo.find_element("#sentiment-retrain-dead").is_displayed(), timeout=5)
    assert "Model run #1" in dash_duo.find_element("#sentiment-run-info").text


def test_the_shown_run_is_shared_and_made_private_from_the_model_card(dash_duo, app):
    _open(dash_duo, app)
    note, button = "#sentiment-run-share-note", "#sentiment-run-share"
    # Without sign-in the local user trained the built-in data's first model, visible to the team.
    dash_duo.wait_for_text_to_equal(note, "Run #1: yours, team.", timeout=30)
    assert dash_duo.find_element(button).text == "Make this run private"
    _click(dash_duo, button)
    dash_duo.wait_for_text_to_equal(note, "Run #1: yours, private.", timeout=30)
    assert dash_duo.find_element(button).text == "Share this run"
    dash_duo.driver.save_screenshot(str(_SHOTS / "sentiment-run-share.png"))
    _click(dash_duo, button)
    dash_duo.wait_for_text_to_equal(note, "Run #1: yours, team.", timeout=30)
    assert dash_duo.get_logs() == []


def test_buttons_have_colours_headers_are_whole_and_the_console_is_quiet(dash_duo, app):
    _open(dash_duo, app)
    classes = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#_pages_content .btn')).map(b => b.className);"
    )
    assert classes and not [c for c in classes if "undefined" in c]
    cut = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#sentiment-table .ag-header-cell-text'))"
        ".filter(h => h.scrollWidth > h.clientWidth + 1 || h.getClientRects().length > 1"
        " || h.getBoundingClientRect().height > 1.6 * parseFloat(getComputedStyle(h).lineHeight || 20))"
        ".map(h => h.textContent);"
    )
    assert cut == []
    _click(dash_duo, "#sentiment-dataset")
    until(
        lambda: dash_duo.driver.execute_script("return document.querySelectorAll('[role=option]').length;"), timeout=10
    )
    options = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('[role=option]')).map(o => o.textContent.trim());"
    )
    assert options and all(options), options  # no blank option
    dash_duo.driver.save_screenshot(str(_SHOTS / "sentiment-dataset-menu.png"))
    first = _page_rows(dash_duo)[0][0]
    _check(dash_duo, first)
    dash_duo.wait_for_text_to_equal("#sentiment-relabel-rows", "1 checked row", timeout=10)
    dash_duo.driver.execute_script(
        "document.getElementById('sentiment-table').scrollIntoView({block: 'center', behavior: 'instant'});"
    )
    dash_duo.driver.save_screenshot(str(_SHOTS / "sentiment-table.png"))
    assert dash_duo.driver.execute_script("return window.__console;") == []
    assert dash_duo.get_logs() == []
