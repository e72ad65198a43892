"""The NN Builder in a real browser: optimizer inputs, bad settings, a tiny live training run, the runs list,
uploaded CSVs and the digits confusion matrix."""

import re
import tempfile
from pathlib import Path

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

from tests.integration.browser import click as _click
from tests.integration.browser import client_point as _client_point
from tests.integration.browser import plotly as _full
from tests.integration.browser import pointer

pytestmark = pytest.mark.browser


def _pointer_click(dash_duo, point):
    pointer(dash_duo, [point, point])


def _tab(dash_duo, label):
    tab = next(a for a in dash_duo.find_elements("#nn-builder-tabs .nav-link") if a.text == label)
    _click(dash_duo, tab)
    until(lambda: "active" in tab.get_attribute("class"), timeout=5)


def _type(dash_duo, selector, value, enter=False):
    """Replace an input's text; ``enter`` commits it (debounced inputs send their value on Enter or blur)."""
    el = dash_duo.find_element(selector)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", el)
    el.send_keys(Keys.CONTROL, "a")
    el.send_keys(str(value) + (Keys.ENTER if enter else ""))


def _select(dash_duo, element_id, value):
    dash_duo.driver.execute_script(
        f"const s = document.getElementById('{element_id}'); s.value = '{value}';"
        "s.dispatchEvent(new Event('change', {bubbles: true}));"
    )


def _layer_input(kind, index):
    return f'[id=\'{{"index":{index},"type":"nn-builder-{kind}"}}\']'


def _open(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/nn-builder")
    dash_duo.wait_for_contains_text("#nn-builder-data-info", "10,000 rows", timeout=60)


def _param_names(dash_duo):
    return dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#nn-builder-optimizer-params [id]'))"
        ".map(e => { try { return JSON.parse(e.id).name } catch (_) { return null } }).filter(Boolean);"
    )


def test_the_optimizer_choice_changes_its_parameter_inputs(dash_duo, app):
    _open(dash_duo, app)
    until(lambda: "beta_1" in _param_names(dash_duo), timeout=10)  # Adam by default
    assert "momentum" not in _param_names(dash_duo)
    _select(dash_duo, "nn-builder-optimizer", "SGD")
    until(lambda: "momentum" in _param_names(dash_duo), timeout=10)
    names = _param_names(dash_duo)
    assert "beta_1" not in names and "learning_rate" in names and "clipnorm" in names
    advanced = dash_duo.find_element("#nn-builder-optimizer-params details")
    assert advanced.get_attribute("open") is None  # advanced ones start collapsed
    assert dash_duo.get_logs() == []


def test_bad_settings_show_their_messages_and_start_no_run(dash_duo, app):
    _open(dash_duo, app)
    _type(dash_duo, "#nn-builder-validation", 1.5)
    _tab(dash_duo, "Architecture")
    _type(dash_duo, _layer_input("units", 0), 0)
    _type(dash_duo, _layer_input("dropout", 1), 1.5)
    _tab(dash_duo, "Training")
    _click(dash_duo, "#nn-builder-train")
    dash_duo.wait_for_contains_text("#nn-builder-errors", "Layer 1: units must be a whole number above 0", timeout=15)
    text = dash_duo.find_element("#nn-builder-errors").text
    assert "Layer 2: dropout must be at least 0 and below 1" in text
    assert "The validation share must be a number between 0 and 1 (exclusive), not 1.5" in text
    assert dash_duo.find_element("#nn-builder-progress").text == ""
    _tab(dash_duo, "Runs")
    until(
        lambda: (
            dash_duo.driver.execute_script(
                "const api = window.dash_ag_grid && dash_ag_grid.getApi('nn-builder-runs'); return api ? api.getDisplayedRowCount() : null;"
            )
            == 0
        ),
        timeout=10,
    )
    assert dash_duo.get_logs() == []


def test_a_tiny_network_trains_live_and_is_listed(dash_duo, app):
    _open(dash_duo, app)
    _type(dash_duo, "#nn-builder-rows", 1000, enter=True)
    _type(dash_duo, "#nn-builder-seed", 5, enter=True)
    dash_duo.wait_for_contains_text("#nn-builder-data-info", "1,000 rows, 5 features", timeout=15)
    _type(dash_duo, "#nn-builder-validation", 0.3)
    _type(dash_duo, "#nn-builder-epochs", 3)
    _type(dash_duo, "#nn-builder-batch-size", 512)
    _tab(dash_duo, "Architecture")
    _click(dash_duo, "#nn-builder-remove-layer")
    until(lambda: len(dash_duo.find_elements("#nn-builder-layer-rows tr")) == 1, timeout=10)
    _click(dash_duo, "#nn-builder-add-layer")
    until(lambda: len(dash_duo.find_elements("#nn-builder-layer-rows tr")) == 2, timeout=10)
    _type(dash_duo, _layer_input("units", 1), 8)
    until(lambda: _full(dash_duo, "nn-builder-network", "el._fullLayout.annotations.length") == 4, timeout=10)
    _tab(dash_duo, "Training")
    _click(dash_duo, "#nn-builder-train")
    dash_duo.wait_for_contains_text("#nn-builder-progress", "epoch 3 of 3", timeout=90)
    dash_duo.wait_for_contains_text("#nn-builder-status", "Run #1: 3 epoch(s)", timeout=30)
    until(lambda: _full(dash_duo, "nn-builder-curves", "el._fullData.map(t => t.x.length)") == [3, 3, 3, 3], timeout=10)
    until(lambda: _full(dash_duo, "nn-builder-histograms", "el._fullData.length") == 9, timeout=15)  # 3 layers × 3

    _tab(dash_duo, "Diagnostics")
    until(lambda: _full(dash_duo, "nn-builder-diagnostics-b", "el._fullData[0].x.length") == 300, timeout=15)

    dash_duo.wait_for_contains_text("#nn-builder-diagnostics-note", "on 300 validation rows", timeout=5)

    _tab(dash_duo, "Runs")
    until(
        lambda: (
            dash_duo.driver.execute_script(
                "const api = window.dash_ag_grid && dash_ag_grid.getApi('nn-builder-runs'); return api ? api.getDisplayedRowCount() : null;"
            )
            == 1
        ),
        timeout=10,
    )
    assert "1,000 rows, seed 5" in dash_duo.find_element("#nn-builder-runs [col-id='dataset'].ag-cell").text
    _click(dash_duo, "#nn-builder-export-code")
    dash_duo.wait_for_contains_text(
        "#nn-builder-code", "keras.layers.Dense(8, activation='relu', name=\"dense_2\")", timeout=15
    )
    assert dash_duo.get_logs() == []


def _runs_shown(dash_duo):
    return dash_duo.driver.execute_script(
        "const api = window.dash_ag_grid && dash_ag_grid.getApi('nn-builder-runs'); return api ? api.getDisplayedRowCount() : null;"
    )


def test_divergence_and_stop_are_reported_and_runs_overlay(dash_duo, app):
    dash_duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _CAPTURE_CONSOLE})
    _open(dash_duo, app)
    _select(dash_duo, "nn-builder-optimizer", "SGD")
    until(lambda: "momentum" in _param_names(dash_duo), timeout=10)
    _type(dash_duo, '[id=\'{"name":"learning_rate","type":"nn-builder-optimizer-param"}\']', "1e9")
    _type(dash_duo, "#nn-builder-epochs", 5)
    _tab(dash_duo, "Training")
    _click(dash_duo, "#nn-builder-train")
    dash_duo.wait_for_contains_text("#nn-builder-status", "training diverged", timeout=90)

    _tab(dash_duo, "Network Parameters")
    _type(dash_duo, '[id=\'{"name":"learning_rate","type":"nn-builder-optimizer-param"}\']', "0.01")
    _type(dash_duo, "#nn-builder-epochs", 500)
    _tab(dash_duo, "Training")
    _click(dash_duo, "#nn-builder-train")
    until(
        lambda: (
            dash_duo.find_element("#nn-builder-progress").text not in ("", "epoch 0 of 500")
            and "of 500" in dash_duo.find_element("#nn-builder-progress").text
        ),
        timeout=90,
    )
    until(lambda: dash_duo.find_element("#nn-builder-stop").is_enabled(), timeout=10)
    _click(dash_duo, "#nn-builder-stop")
    dash_duo.wait_for_contains_text("#nn-builder-status", "Stopped by request", timeout=60)
    assert dash_duo.find_element("#nn-builder-train").is_enabled()

    _tab(dash_duo, "Runs")
    until(lambda: _runs_shown(dash_duo) == 2, timeout=10)
    dash_duo.driver.execute_script("dash_ag_grid.getApi('nn-builder-runs').selectAll()")
    until(lambda: _full(dash_duo, "nn-builder-overlay", "el._fullData.length") == 4, timeout=10)  # train + val per run
    seen = dash_duo.driver.execute_script("return window.__consoleSeen;")
    assert [line for line in seen if "ag grid" in line.lower() or "getRowId" in line] == []
    assert dash_duo.get_logs() == []


def _upload(dash_duo, path):
    dash_duo.find_element("#nn-builder-upload input[type=file]").send_keys(str(path))


def _message(dash_duo):
    return dash_duo.find_element("#nn-builder-data-message").text


def test_an_uploaded_csv_trains(dash_duo, app, tmp_path):
    rows = ["x1,x2,grade,y"] + [f"{i % 7},{(i * 3) % 11},{i % 3},{2 * (i % 7) - (i * 3) % 11 + 0.5}" for i in range(60)]
    good = tmp_path / "mine.csv"
    good.write_text("\n".join(rows) + "\n")
    _open(dash_duo, app)
    _upload(dash_duo, good)
    dash_duo.wait_for_contains_text(
        "#nn-builder-data-message", "mine.csv: 60 rows, columns x1, x2, grade, y", timeout=15
    )
    assert dash_duo.find_element("#nn-builder-target").get_attribute("value") == "y"  # by name
    until(lambda: dash_duo.find_element("#nn-builder-task input[value='regression']").is_selected(), timeout=5)
    _select(dash_duo, "nn-builder-target", "grade")  # three whole values: classes, guessed
    until(lambda: dash_duo.find_element("#nn-builder-task input[value='classification']").is_selected(), timeout=5)
    _select(dash_duo, "nn-builder-target", "y")
    until(lambda: dash_duo.find_element("#nn-builder-task input[value='regression']").is_selected(), timeout=5)
    _click(dash_duo, "#nn-builder-use-upload")
    dash_duo.wait_for_contains_text(
        "#nn-builder-data-message", "Using mine.csv (60 rows) → y (regression), 3 features.", timeout=15
    )
    dash_duo.wait_for_contains_text("#nn-builder-data-info", "60 rows, 3 features → y (regression)", timeout=15)
    assert not dash_duo.find_element("#nn-builder-rows").is_displayed()  # Black-Scholes' own inputs are hidden
    _type(dash_duo, "#nn-builder-epochs", 2)
    _type(dash_duo, "#nn-builder-batch-size", 16)
    _tab(dash_duo, "Training")
    _click(dash_duo, "#nn-builder-train")
    dash_duo.wait_for_contains_text("#nn-builder-status", "Run #1: 2 epoch(s)", timeout=90)
    until(lambda: _full(dash_duo, "nn-builder-curves", "el._fullData.map(t => t.x.length)") == [2, 2, 2, 2], timeout=10)
    _tab(dash_duo, "Diagnostics")
    dash_duo.wait_for_contains_text("#nn-builder-diagnostics-note", "on 12 validation rows", timeout=15)
    assert dash_duo.get_logs() == []


def test_bad_uploads_say_why_and_keep_the_current_data(dash_duo, app, tmp_path):
    text = tmp_path / "cities.csv"
    text.write_text("size,city,price\n" + "".join(f"{i},{'Paris' if i % 2 else 'Oslo'},{i * 2.5}\n" for i in range(30)))
    holes = tmp_path / "holes.csv"
    holes.write_text("a,b,target\n" + "".join(f"{i},{i % 4},{'' if i % 10 == 3 else i * 0.5}\n" for i in range(30)))
    short = tmp_path / "short.csv"
    short.write_text("a,y\n1,2\n3,4\n")
    binary = tmp_path / "blob.csv"
    binary.write_bytes(b"\x00\x01\x02binary")
    _open(dash_duo, app)

    _upload(dash_duo, binary)
    dash_duo.wait_for_contains_text("#nn-builder-data-message", "blob.csv looks binary", timeout=15)
    assert not dash_duo.find_element("#nn-builder-target").is_displayed()

    _upload(dash_duo, text)
    dash_duo.wait_for_contains_text("#nn-builder-data-message", "cities.csv: 30 rows", timeout=15)
    _click(dash_duo, "#nn-builder-use-upload")
    dash_duo.wait_for_contains_text("#nn-builder-data-message", "not numeric: 'city' (e.g. 'Oslo')", timeout=15)

    _upload(dash_duo, holes)
    dash_duo.wait_for_contains_text("#nn-builder-data-message", "holes.csv: 30 rows", timeout=15)
    assert dash_duo.find_element("#nn-builder-target").get_attribute("value") == "target"
    _click(dash_duo, "#nn-builder-use-upload")
    dash_duo.wait_for_contains_text(
        "#nn-builder-data-message", "The target 'target' has 3 missing value(s)", timeout=15
    )

    _upload(dash_duo, short)
    dash_duo.wait_for_contains_text("#nn-builder-data-message", "short.csv: 2 rows", timeout=15)
    _click(dash_duo, "#nn-builder-use-upload")
    dash_duo.wait_for_contains_text("#nn-builder-data-message", "2 row(s) are too few", timeout=15)
    assert "The current data stays selected" in _message(dash_duo)

    _type(dash_duo, "#nn-builder-rows", 5, enter=True)
    dash_duo.wait_for_contains_text(
        "#nn-builder-data-message", "number of rows must be between 10 and 1,000,000", timeout=15
    )
    # Through all of that the generated set stayed the dataset.
    assert dash_duo.find_element("#nn-builder-dataset").get_attribute("value") == "black-scholes"
    assert "10,000 rows, 5 features → price" in dash_duo.find_element("#nn-builder-data-info").text
    assert dash_duo.get_logs() == []


def _confusion(dash_duo):
    cells = _full(dash_duo, "nn-builder-diagnostics-a", "el._fullData[0].customdata")
    return [[cell[2] for cell in row] for row in cells] if cells else None


def test_digits_train_and_the_confusion_matrix_counts_the_validation_rows(dash_duo, app):
    _open(dash_duo, app)
    _select(dash_duo, "nn-builder-dataset", "digits")
    dash_duo.wait_for_contains_text(
        "#nn-builder-data-info", "1,797 rows, 64 features → digit (classification)", timeout=15
    )
    assert dash_duo.find_element("#nn-builder-loss").get_attribute("value") == "sparse_categorical_crossentropy"
    _type(dash_duo, "#nn-builder-epochs", 2)
    _type(dash_duo, "#nn-builder-batch-size", 64)
    _tab(dash_duo, "Training")
    _click(dash_duo, "#nn-builder-train")
    dash_duo.wait_for_contains_text("#nn-builder-status", "Run #1: 2 epoch(s)", timeout=90)
    assert "validation accuracy" in dash_duo.find_element("#nn-builder-status").text

    _tab(dash_duo, "Diagnostics")
    until(lambda: _confusion(dash_duo) is not None, timeout=15)
    matrix = _confusion(dash_duo)
    assert len(matrix) == 10 and sum(map(sum, matrix)) == 360  # ceil(0.2 × 1,797) validation rows
    dash_duo.wait_for_contains_text("#nn-builder-diagnostics-note", "on 360 validation rows", timeout=5)
    # The second panel, unused for classes, is no white rectangle in the dark theme.
    paper = dash_duo.driver.execute_script(
        "return document.querySelector('#nn-builder-diagnostics-b .js-plotly-plot')._fullLayout.paper_bgcolor;"
    )
    assert paper not in ("#fff", "#ffffff", "white", "rgb(255, 255, 255)"), paper
    # Click the cell "actual 3, predicted 3" (the axes are the class names "0".."9", i.e. categories 0..9).
    _pointer_click(dash_duo, _client_point(dash_duo, "nn-builder-diagnostics-a", 3, 3))
    dash_duo.wait_for_contains_text(
        "#nn-builder-cell-count", f"{matrix[3][3]:,} validation rows of class 3 were predicted as 3", timeout=15
    )
    assert dash_duo.get_logs() == []


_LIVE_STATE = """
const bar = document.querySelector('#nn-builder-progress');
const curves = document.querySelector('#nn-builder-curves .js-plotly-plot');
const hist = document.querySelector('#nn-builder-histograms .js-plotly-plot');
const points = curves && curves._fullData ? curves._fullData.map(t => (t.x || []).length) : [];
const title = hist && hist._fullLayout && hist._fullLayout.title ? hist._fullLayout.title.text : '';
const fill = bar && bar.querySelector('.progress-bar');
const clipped = fill ? fill.scrollWidth > fill.clientWidth + 1 : false;
return [bar ? bar.innerText : '', points, title || '', clipped];
"""


def _live_state(dash_duo):
    """(progress label, points per curve, histogram title) read in one go, so they describe one moment."""
    label, points, title, clipped = dash_duo.driver.execute_script(_LIVE_STATE)
    assert not clipped, f"the progress label {label!r} is cut off"
    match = re.fullmatch(r"epoch (\d+) of (\d+)", label.strip())
    return (tuple(map(int, match.groups())) if match else None), points, title


def test_curves_and_histograms_redraw_during_training_and_a_new_run_starts_clean(dash_duo, app):
    _open(dash_duo, app)
    _type(dash_duo, "#nn-builder-epochs", 1)
    _type(dash_duo, "#nn-builder-batch-size", 512)
    _tab(dash_duo, "Training")
    _click(dash_duo, "#nn-builder-train")
    dash_duo.wait_for_contains_text("#nn-builder-status", "Run #1: 1 epoch(s)", timeout=120)
    until(lambda: _live_state(dash_duo)[1] == [1, 1, 1, 1], timeout=15)

    # A slow second run (small batches, many epochs), watched while the bar still counts.
    _tab(dash_duo, "Network Parameters")
    _type(dash_duo, "#nn-builder-epochs", 200)
    _type(dash_duo, "#nn-builder-batch-size", 8)
    _tab(dash_duo, "Training")
    _click(dash_duo, "#nn-builder-train")
    seen = []

    def mid_run():
        progress, points, title = _live_state(dash_duo)
        seen.append((progress, points, title))
        if not progress or progress[1] != 200 or progress[0] >= 200 or len(points) != 4:
            return False
        done = progress[0]
        if done >= 3:  # the first run's single point is gone once this run has epochs to show
            assert points != [1, 1, 1, 1], seen[-5:]
        # The curves hold this run's epochs (the bar may lead the drawing by an epoch) and the histograms show
        # the newest of them, while the bar still says "epoch k of 200".
        return len(set(points)) == 1 and points[0] >= 2 and abs(points[0] - done) <= 1 and title == f"epoch {points[0]}"

    until(mid_run, timeout=240, poll=0.2)
    dash_duo.driver.save_screenshot(str(Path(tempfile.gettempdir()) / "nn_training_live.png"))
    _click(dash_duo, "#nn-builder-stop")
    dash_duo.wait_for_contains_text("#nn-builder-status", "Stopped by request", timeout=240)
    assert dash_duo.get_logs() == []


def test_a_diverged_run_reads_as_diverged_everywhere(dash_duo, app):
    _open(dash_duo, app)
    _select(dash_duo, "nn-builder-optimizer", "SGD")
    until(lambda: "momentum" in _param_names(dash_duo), timeout=10)
    _type(dash_duo, '[id=\'{"name":"learning_rate","type":"nn-builder-optimizer-param"}\']', "1e9")
    _type(dash_duo, "#nn-builder-epochs", 3)
    _type(dash_duo, "#nn-builder-batch-size", 512)
    _tab(dash_duo, "Training")
    _click(dash_duo, "#nn-builder-train")
    dash_duo.wait_for_contains_text("#nn-builder-status", "training diverged", timeout=120)
    status = dash_duo.find_element("#nn-builder-status").text
    assert "validation loss NaN (diverged)" in status and "0.000" not in status
    until(lambda: "diverged" in dash_duo.find_element("#nn-builder-warnings").text, timeout=15)
    assert "No saturated or dead layers" not in dash_duo.find_element("#nn-builder-warnings").text
    _tab(dash_duo, "Runs")
    until(lambda: _runs_shown(dash_duo) == 1, timeout=15)
    cells = {
        col: dash_duo.find_element(f"#nn-builder-runs [col-id='{col}'].ag-cell").text
        for col in ("val_loss", "val_metric")
    }
    assert cells == {"val_loss": "diverged", "val_metric": "diverged"}
    assert dash_duo.get_logs() == []


_CAPTURE_CONSOLE = """
window.__consoleSeen = [];
for (const level of ['warn', 'error']) {
    const original = console[level].bind(console);
    console[level] = (...args) => { window.__consoleSeen.push(level + ': ' + args.map(String).join(' ')); original(...args); };
}
"""


def test_the_runs_tab_buttons_have_colours_the_overlay_is_log_and_the_console_stays_quiet(dash_duo, app):
    dash_duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _CAPTURE_CONSOLE})
    _open(dash_duo, app)
    _tab(dash_duo, "Architecture")
    _tab(dash_duo, "Runs")
    until(
        lambda: (
            dash_duo.driver.execute_script(
                "const el = document.querySelector('#nn-builder-overlay .js-plotly-plot');"
                "return el && el._fullLayout ? el._fullLayout.yaxis.type : null;"
            )
            == "log"
        ),
        timeout=15,
    )
    _click(dash_duo, "#nn-builder-overlay-log")
    until(
        lambda: (
            dash_duo.driver.execute_script(
                "return document.querySelector('#nn-builder-overlay .js-plotly-plot')._fullLayout.yaxis.type;"
            )
            == "linear"
        ),
        timeout=15,
    )
    undefined = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('button[class*=\"undefined\"]')).map(b => b.innerText);"
    )
    assert undefined == []
    seen = dash_duo.driver.execute_script("return window.__consoleSeen;")
    assert [line for line in seen if "AG Grid" in line or "ag-grid" in line.lower()] == []
    # The menus' hidden first entries are not blank either.
    blank = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#nn-builder-dataset option, #nn-builder-loss option'))"
        ".filter(o => !o.textContent.trim()).length;"
    )
    assert blank == 0
    assert dash_duo.get_logs() == []


def test_a_reference_file_that_cannot_be_fetched_is_said_and_nothing_trains(dash_duo, tmp_path):
    from webapp import create_app

    (tmp_path / "empty-mirror").mkdir()
    app = create_app(
        {
            "TESTING": True,
            "DATA_DIR": str(tmp_path / "data"),
            "DATA_MIRROR": str(tmp_path / "empty-mirror"),
            "SECRET_KEY": "test",
        }
    )
    _open(dash_duo, app)
    _select(dash_duo, "nn-builder-dataset", "bls-prices")
    dash_duo.wait_for_contains_text("#nn-builder-data-error", "GLASSBOX_DATA_MIRROR", timeout=30)
    assert dash_duo.find_element("#nn-builder-data-info").text == "No dataset loaded."
    _tab(dash_duo, "Training")
    _click(dash_duo, "#nn-builder-train")
    dash_duo.wait_for_contains_text("#nn-builder-message", "Choose a dataset that loads first", timeout=15)
    assert dash_duo.find_element("#nn-builder-progress").text == ""
    _tab(dash_duo, "Runs")
    until(lambda: _runs_shown(dash_duo) == 0, timeout=10)
    assert dash_duo.get_logs() == []


def test_the_second_run_trains_on_the_warm_trainer_the_first_left_and_its_first_epoch_is_drawn(dash_duo, app):
    """The first run starts cold and leaves a spare trainer warming; the next Train claims that spare (its file
    and its process are gone afterwards, which a fresh trainer would not do) and draws epoch 1 while it runs."""
    import time

    import psutil

    from webapp import nn_warm

    data_dir = app.server.config["DATA_DIR"]
    _open(dash_duo, app)
    _type(dash_duo, "#nn-builder-epochs", 1)
    _type(dash_duo, "#nn-builder-batch-size", 512)
    _tab(dash_duo, "Training")
    _click(dash_duo, "#nn-builder-train")
    dash_duo.wait_for_contains_text("#nn-builder-status", "Run #1: 1 epoch(s)", timeout=120)
    until(lambda: nn_warm.ready_spares(data_dir), timeout=300, poll=0.5)
    [spare] = nn_warm.ready_spares(data_dir)

    _tab(dash_duo, "Network Parameters")
    _type(dash_duo, "#nn-builder-epochs", 30)
    _tab(dash_duo, "Training")
    clicked = time.monotonic()
    _click(dash_duo, "#nn-builder-train")

    def first_epoch_drawn():
        progress, points, _ = _live_state(dash_duo)
        return progress is not None and progress[1] == 30 and 1 <= progress[0] < 30 and min(points or [0]) >= 1

    until(first_epoch_drawn, timeout=120, poll=0.1)
    print(f"click → first epoch drawn (warm): {time.monotonic() - clicked:.2f} s")
    dash_duo.wait_for_contains_text("#nn-builder-status", "Run #2: 30 epoch(s)", timeout=240)
    assert spare["id"] not in {s["id"] for s in nn_warm.ready_spares(data_dir)}
    until(lambda: not psutil.pid_exists(spare["pid"]), timeout=30)
    assert dash_duo.get_logs() == []


def test_an_upload_is_private_until_shared_with_the_team(dash_duo, app, tmp_path):
    good = tmp_path / "shared.csv"
    good.write_text("a,b,y\n" + "".join(f"{i},{i % 5},{i * 2}\n" for i in range(40)))
    _open(dash_duo, app)
    assert dash_duo.find_element("#nn-builder-share-upload").get_attribute("disabled")  # built-in data
    assert dash_duo.find_element("#nn-builder-share-note").text == "Built-in data: everyone sees it."
    _upload(dash_duo, good)
    dash_duo.wait_for_contains_text("#nn-builder-data-message", "shared.csv: 40 rows", timeout=15)
    _click(dash_duo, "#nn-builder-use-upload")
    dash_duo.wait_for_contains_text("#nn-builder-data-message", "Using shared.csv", timeout=15)
    dash_duo.wait_for_text_to_equal("#nn-builder-share-note", "Your upload, private.", timeout=10)

    def chosen_label():
        return dash_duo.driver.execute_script(
            "const s = document.getElementById('nn-builder-dataset'); return s.options[s.selectedIndex].text;"
        )

    assert chosen_label() == "shared.csv → y (regression) (local, private)"
    _click(dash_duo, "#nn-builder-share-upload")
    dash_duo.wait_for_contains_text("#nn-builder-data-message", "The team sees it now.", timeout=10)
    dash_duo.wait_for_text_to_equal("#nn-builder-share-note", "Your upload, team.", timeout=10)
    assert dash_duo.find_element("#nn-builder-share-upload").text == "Make private"
    until(lambda: chosen_label() == "shared.csv → y (regression) (local, team)", timeout=10)
    dash_duo.driver.refresh()  # a reload lists the upload in the menu, with its owner and visibility
    dash_duo.wait_for_contains_text("#nn-builder-data-info", "10,000 rows", timeout=60)
    labels = dash_duo.driver.execute_script(
        "return [...document.getElementById('nn-builder-dataset').options].map(o => o.text);"
    )
    assert "shared.csv → y (local, team)" in labels
    assert dash_duo.get_logs() == []


def test_a_training_whose_process_dies_says_so_and_retry_trains_again(dash_duo, app):
    """kill -9 of the training job (what the OOM killer does): the page stops saying "training" and offers Retry."""
    import os
    import signal

    import psutil

    from tests.integration.test_sentiment_walkthrough import _new_job_processes

    _open(dash_duo, app)
    _type(dash_duo, "#nn-builder-epochs", 300)
    _type(dash_duo, "#nn-builder-batch-size", 8)
    _tab(dash_duo, "Training")
    dead = "#nn-builder-train-dead"
    assert not dash_duo.find_element(dead).is_displayed()
    before = {child.pid for child in psutil.Process().children(recursive=True)}
    _click(dash_duo, "#nn-builder-train")
    dash_duo.wait_for_contains_text("#nn-builder-message", "Training 300 epoch(s)", timeout=30)
    until(lambda: (_live_state(dash_duo)[0] or (0, 0))[0] >= 1, timeout=180, poll=0.2)  # it is training
    for job in _new_job_processes(before):  # the background job and the trainer it started
        os.kill(job.pid, signal.SIGKILL)
    dash_duo.wait_for_contains_text(dead, "The training stopped unexpectedly (its process ended)", timeout=15)
    assert dash_duo.find_element(dead).is_displayed()
    assert dash_duo.find_element("#nn-builder-message").text.strip() == ""  # no stale "Training 300 epoch(s) …"
    assert dash_duo.find_element("#nn-builder-progress").text.strip() == ""  # nor a frozen "epoch k of 300"
    assert dash_duo.find_element("#nn-builder-train").is_enabled()
    dash_duo.driver.save_screenshot(str(Path(tempfile.gettempdir()) / "nn_training_dead.png"))

    _click(dash_duo, "#nn-builder-train-retry")
    until(lambda: not dash_duo.find_element(dead).is_displayed(), timeout=10)
    # The same settings train again, drawn from a blank chart (not appended to the dead attempt's points).
    until(lambda: (_live_state(dash_duo)[0] or (0, 0))[1] == 300, timeout=60, poll=0.2)

    def fresh_curves():
        progress, points, _ = _live_state(dash_duo)
        return progress and 2 <= progress[0] < 300 and points and max(points) <= progress[0] + 1

    until(fresh_curves, timeout=180, poll=0.2)
    _click(dash_duo, "#nn-builder-stop")
    dash_duo.wait_for_contains_text("#nn-builder-status", "Stopped by request", timeout=120)
    assert not dash_duo.find_element(dead).is_displayed()  # a job that answered is not reported as dead
    assert dash_duo.get_logs() == []
