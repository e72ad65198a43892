"""The sentiment page in a real browser: confusion cells, lasso, explanations, relabel and retrain, uploads."""

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains

from tests.integration.browser import click as _click
from tests.integration.browser import client_point as _client_point
from tests.integration.browser import plotly as _full
from tests.integration.browser import pointer as _pointer

pytestmark = pytest.mark.browser


def _matrix(dash_duo):
    """The confusion matrix's counts as drawn: customdata[i][j] = [actual, predicted, count]."""
    cells = _full(dash_duo, "sentiment-confusion", "el._fullData[0].customdata")
    return [[cell[2] for cell in row] for row in cells] if cells else None


def _grid_rows(dash_duo):
    return dash_duo.driver.execute_script(
        "const api = window.dash_ag_grid && dash_ag_grid.getApi('sentiment-table');"
        "if (!api) return null; const rows = []; api.forEachNodeAfterFilter(n => rows.push(n.data)); return rows;"
    )


def _click_cell(dash_duo, actual, predicted):
    point = _client_point(dash_duo, "sentiment-confusion", predicted, actual)
    _pointer(dash_duo, [point, point])


def _open(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/sentiment")
    until(lambda: _matrix(dash_duo) is not None, timeout=400)  # the first visit trains the model (background job)
    until(lambda: (_grid_rows(dash_duo) or []) != [], timeout=20)


def test_confusion_cell_click_selects_exactly_its_tweets(dash_duo, app):
    _open(dash_duo, app)
    matrix = _matrix(dash_duo)
    assert sum(map(sum, matrix)) == 2388  # the whole test split
    assert len(_grid_rows(dash_duo)) == 2388
    assert float(dash_duo.find_element("#sentiment-accuracy").text) > 0.83

    _click_cell(dash_duo, 0, 1)  # actual negative, predicted neutral
    dash_duo.wait_for_contains_text("#sentiment-count", "actual negative, predicted neutral", timeout=15)
    rows = _grid_rows(dash_duo)
    assert len(rows) == matrix[0][1]
    assert {(r["actual"], r["predicted"]) for r in rows} == {("negative", "neutral")}
    assert dash_duo.find_element("#sentiment-count").text.startswith(f"{matrix[0][1]:,} tweets")
    points = _full(
        dash_duo, "sentiment-triangle", "el._fullData.filter(t => t.type === 'scattergl').map(t => t.x.length)"
    )
    assert sum(points) == matrix[0][1]
    issue = [r["issue_score"] for r in rows]
    assert issue == sorted(issue, reverse=True)  # most suspicious first
    assert dash_duo.get_logs() == []


def test_lasso_narrows_the_table_to_the_points_inside(dash_duo, app):
    _open(dash_duo, app)
    _click_cell(dash_duo, 1, 1)  # actual neutral, predicted neutral: points near the top corner and beyond
    dash_duo.wait_for_contains_text("#sentiment-count", "actual neutral, predicted neutral", timeout=15)
    cell_rows = len(_grid_rows(dash_duo))
    # Lasso the left part of the triangle: points whose x (= p_positive + p_neutral / 2) is below 0.4.
    corners = [(-0.04, -0.04), (0.4, -0.04), (0.4, 0.9), (-0.04, 0.9)]
    path = [_client_point(dash_duo, "sentiment-triangle", x, y) for x, y in corners + corners[:1]]
    steps = [
        (a[0] + (b[0] - a[0]) * t / 5, a[1] + (b[1] - a[1]) * t / 5) for a, b in zip(path, path[1:]) for t in range(5)
    ]
    _pointer(dash_duo, steps + [path[-1]])
    dash_duo.wait_for_contains_text("#sentiment-count", "(lasso)", timeout=15)
    boundary = 0.4
    rows = _grid_rows(dash_duo)
    assert 0 < len(rows) < cell_rows
    xs = [r["p_positive"] + 0.5 * r["p_neutral"] for r in rows]
    assert max(xs) <= boundary + 0.01
    assert dash_duo.get_logs() == []


def test_a_tweet_click_explains_it_and_a_slice_picks_the_model(dash_duo, app):
    _open(dash_duo, app)
    first = dash_duo.find_element("#sentiment-table .ag-row[row-index='0'] [col-id='text']")
    text = first.text
    _click(dash_duo, first)
    until(lambda: _full(dash_duo, "sentiment-pie", "el._fullData[0].type") == "pie", timeout=15)
    title = lambda: dash_duo.driver.execute_script(  # noqa: E731
        "return document.querySelector('#sentiment-explain .js-plotly-plot')._fullLayout.title.text;"
    )
    until(lambda: "vs rest" in (title() or ""), timeout=10)
    tokens = _full(dash_duo, "sentiment-explain", "Array.from(el._fullData[0].y)")
    assert tokens and any(word.lower() in text.lower() for word in tokens[-1].split(" ")[:1])
    slices = dash_duo.find_elements("#sentiment-pie g.slice path.surface")
    labels = _full(dash_duo, "sentiment-pie", "Array.from(el._fullData[0].labels)")
    for label in ("positive", "negative"):
        slice_ = slices[labels.index(label)]
        dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", slice_)
        ActionChains(dash_duo.driver).move_to_element(slice_).click().perform()
        slices = dash_duo.find_elements("#sentiment-pie g.slice path.surface")
        until(lambda label=label: title().startswith(f"{label} vs rest"), timeout=10)
    assert dash_duo.get_logs() == []


def test_relabel_then_retrain_changes_the_matrix_and_undo_restores(dash_duo, app):
    _open(dash_duo, app)
    before = _matrix(dash_duo)
    _click_cell(dash_duo, 0, 2)  # tweets called negative that the model calls positive
    dash_duo.wait_for_contains_text("#sentiment-count", "actual negative, predicted positive", timeout=15)
    moved = len(_grid_rows(dash_duo))
    dash_duo.driver.execute_script(
        "const s = document.getElementById('sentiment-relabel-to'); s.value = 'positive';"
        "s.dispatchEvent(new Event('change', {bubbles: true}));"
    )
    _click(dash_duo, "#sentiment-relabel-all")
    dash_duo.wait_for_contains_text("#sentiment-message", f"Relabelled {moved} tweet(s) as positive", timeout=15)
    until(lambda: _matrix(dash_duo) != before, timeout=15)
    relabelled = _matrix(dash_duo)
    assert relabelled[0][2] == 0 and relabelled[2][2] == before[2][2] + moved

    _click(dash_duo, "#sentiment-retrain")
    dash_duo.wait_for_contains_text("#sentiment-run-info", "Model run #2", timeout=120)
    dash_duo.wait_for_contains_text("#sentiment-before-after", "Against run #1", timeout=10)
    assert f"with {moved} correction(s)" in dash_duo.find_element("#sentiment-run-info").text
    retrained = _matrix(dash_duo)
    assert sum(map(sum, retrained)) == 2388 and retrained != before

    _click(dash_duo, "#sentiment-undo")
    dash_duo.wait_for_contains_text("#sentiment-message", f"Undid your last correction ({moved} tweet(s))", timeout=15)
    until(lambda: sum(_matrix(dash_duo)[0]) == sum(before[0]), timeout=15)  # the negatives are back
    assert dash_duo.get_logs() == []


@pytest.fixture
def small_uploads(app_config):
    app_config["MAX_UPLOAD_MB"] = 1
    return app_config


def test_uploads_bad_and_good(small_uploads, dash_duo, app, tmp_path):
    _open(dash_duo, app)
    big = tmp_path / "big.csv"
    big.write_bytes(b"text,label\n" + b"x" * (1024 * 1024 + 10) + b",positive\n")
    dash_duo.find_element("#sentiment-upload input[type=file]").send_keys(str(big))
    dash_duo.wait_for_contains_text("#sentiment-message", "the upload limit is 1 MiB", timeout=15)

    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\x01binary")
    dash_duo.find_element("#sentiment-upload input[type=file]").send_keys(str(bad))
    dash_duo.wait_for_contains_text("#sentiment-message", "looks binary", timeout=15)

    rows = (
        ["tweet,mood"]
        + [f"stocks soar {i},up" for i in range(20)]
        + [f"stocks sink {i},down" for i in range(20)]
        + [f"meeting at {i},flat" for i in range(20)]
    )
    good = tmp_path / "mine.csv"
    good.write_text("\n".join(rows) + "\n")
    dash_duo.find_element("#sentiment-upload input[type=file]").send_keys(str(good))
    dash_duo.wait_for_contains_text("#sentiment-message", "60 rows, columns tweet, mood", timeout=15)
    dash_duo.find_element("#sentiment-label-column")  # the column pickers are shown
    _click(dash_duo, "#sentiment-use-upload")
    dash_duo.wait_for_contains_text("#sentiment-message", "not one of negative, neutral, positive", timeout=15)
    assert sum(map(sum, _matrix(dash_duo))) == 2388  # the tweets stay loaded
    dash_duo.find_element("#sentiment-label-map").send_keys("up=positive,down=negative,flat=neutral")
    _click(dash_duo, "#sentiment-use-upload")
    dash_duo.wait_for_contains_text("#sentiment-message", "Loaded 60 tweets (48 train, 12 test)", timeout=15)
    until(lambda: sum(map(sum, _matrix(dash_duo) or [[0]])) == 12, timeout=60)
    assert dash_duo.get_logs() == []
