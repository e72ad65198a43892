"""The NN Builder in a real browser: optimizer inputs, bad settings, a tiny live training run, the runs list."""

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

pytestmark = pytest.mark.browser


def _full(dash_duo, graph_id, expr):
    return dash_duo.driver.execute_script(
        f"const el = document.querySelector('#{graph_id} .js-plotly-plot'); return el && el._fullData && el._fullData.length ? ({expr}) : null;"
    )


def _click(dash_duo, selector_or_element):
    """Scroll instantly, then click (Bootstrap's smooth scrolling would move the target under the pointer)."""
    el = dash_duo.find_element(selector_or_element) if isinstance(selector_or_element, str) else selector_or_element
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", el)
    el.click()


def _tab(dash_duo, label):
    tab = next(a for a in dash_duo.find_elements("#nn-builder-tabs .nav-link") if a.text == label)
    _click(dash_duo, tab)
    until(lambda: "active" in tab.get_attribute("class"), timeout=5)


def _type(dash_duo, selector, value):
    el = dash_duo.find_element(selector)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", el)
    el.send_keys(Keys.CONTROL, "a")
    el.send_keys(str(value))


def _select(dash_duo, element_id, value):
    dash_duo.driver.execute_script(
        f"const s = document.getElementById('{element_id}'); s.value = '{value}';"
        "s.dispatchEvent(new Event('change', {bubbles: true}));"
    )


def _layer_input(kind, index):
    return f"[id='{{\"index\":{index},\"type\":\"nn-builder-{kind}\"}}']"


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
    _tab(dash_duo, "Architecture")
    _type(dash_duo, _layer_input("units", 0), 0)
    _type(dash_duo, _layer_input("dropout", 1), 1.5)
    _tab(dash_duo, "Training")
    _click(dash_duo, "#nn-builder-train")
    dash_duo.wait_for_contains_text("#nn-builder-errors", "Layer 1: units must be a whole number above 0", timeout=15)
    text = dash_duo.find_element("#nn-builder-errors").text
    assert "Layer 2: dropout must be at least 0 and below 1" in text
    assert dash_duo.find_element("#nn-builder-progress").text == ""
    _tab(dash_duo, "Runs")
    until(lambda: dash_duo.driver.execute_script(
        "const api = window.dash_ag_grid && dash_ag_grid.getApi('nn-builder-runs'); return api ? api.getDisplayedRowCount() : null;") == 0,
        timeout=10)
    assert dash_duo.get_logs() == []


def test_a_tiny_network_trains_live_and_is_listed(dash_duo, app):
    _open(dash_duo, app)
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
    until(lambda: _full(dash_duo, "nn-builder-diagnostics-b", "el._fullData[0].x.length") == 2000, timeout=15)

    _tab(dash_duo, "Runs")
    until(lambda: dash_duo.driver.execute_script(
        "const api = window.dash_ag_grid && dash_ag_grid.getApi('nn-builder-runs'); return api ? api.getDisplayedRowCount() : null;") == 1,
        timeout=10)
    _click(dash_duo, "#nn-builder-export-code")
    dash_duo.wait_for_contains_text("#nn-builder-code", "keras.layers.Dense(8, activation='relu', name=\"dense_2\")", timeout=15)
    assert dash_duo.get_logs() == []


def _runs_shown(dash_duo):
    return dash_duo.driver.execute_script(
        "const api = window.dash_ag_grid && dash_ag_grid.getApi('nn-builder-runs'); return api ? api.getDisplayedRowCount() : null;")


def test_divergence_and_stop_are_reported_and_runs_overlay(dash_duo, app):
    _open(dash_duo, app)
    _select(dash_duo, "nn-builder-optimizer", "SGD")
    until(lambda: "momentum" in _param_names(dash_duo), timeout=10)
    _type(dash_duo, "[id='{\"name\":\"learning_rate\",\"type\":\"nn-builder-optimizer-param\"}']", "1e9")
    _type(dash_duo, "#nn-builder-epochs", 5)
    _tab(dash_duo, "Training")
    _click(dash_duo, "#nn-builder-train")
    dash_duo.wait_for_contains_text("#nn-builder-status", "training diverged", timeout=90)

    _tab(dash_duo, "Network Parameters")
    _type(dash_duo, "[id='{\"name\":\"learning_rate\",\"type\":\"nn-builder-optimizer-param\"}']", "0.01")
    _type(dash_duo, "#nn-builder-epochs", 500)
    _tab(dash_duo, "Training")
    _click(dash_duo, "#nn-builder-train")
    until(lambda: dash_duo.find_element("#nn-builder-progress").text not in ("", "epoch 0 of 500")
          and "of 500" in dash_duo.find_element("#nn-builder-progress").text, timeout=90)
    until(lambda: dash_duo.find_element("#nn-builder-stop").is_enabled(), timeout=10)
    _click(dash_duo, "#nn-builder-stop")
    dash_duo.wait_for_contains_text("#nn-builder-status", "Stopped by request", timeout=60)
    assert dash_duo.find_element("#nn-builder-train").is_enabled()

    _tab(dash_duo, "Runs")
    until(lambda: _runs_shown(dash_duo) == 2, timeout=10)
    dash_duo.driver.execute_script("dash_ag_grid.getApi('nn-builder-runs').selectAll()")
    until(lambda: _full(dash_duo, "nn-builder-overlay", "el._fullData.length") == 4, timeout=10)  # train + val per run
    assert dash_duo.get_logs() == []
