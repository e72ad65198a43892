"""A configured Parquet dataset in the Logs page: its cube is built on Dask behind a progress bar, then clicks
filter it like any source."""

import time

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains

from models.logs import dataset as ds
from models.logs.generate import write_parquet

pytest.importorskip("distributed")
pytestmark = pytest.mark.browser
EVENTS = 20_000


def slow_partial_cube(*args):
    """One part of the cube, slowly, so the browser can watch the build progress."""
    time.sleep(1.5)
    return REAL_PARTIAL_CUBE(*args)


REAL_PARTIAL_CUBE = ds._partial_cube


@pytest.fixture
def dataset_app(app_config, tmp_path, monkeypatch):
    from webapp import create_app

    folder = tmp_path / "events"
    write_parquet(folder, EVENTS, seed=4, days=5, row_group_rows=512)  # 40 row groups: 3 Dask tasks
    # The build job is a forked process: these patches travel with it. Threads, not worker processes, for speed.
    monkeypatch.setattr(ds, "_partial_cube", slow_partial_cube)
    monkeypatch.setattr(
        ds, "cluster_options", lambda config: {"n_workers": 1, "threads_per_worker": 1, "processes": False}
    )
    return create_app({**app_config, "LOG_DATASETS": str(folder)}), folder


def _pager(dash_duo):
    return dash_duo.find_element("#logs-pager").text


def _matching(dash_duo) -> int:
    text = _pager(dash_duo)
    return int(text.split(" of ")[1].split(" ")[0].replace(",", "")) if " of " in text else -1


def test_opening_a_dataset_shows_progress_then_the_dashboard_and_a_click_filters(dash_duo, dataset_app):
    app, folder = dataset_app
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/logs")
    until(lambda: "matching" in _pager(dash_duo), timeout=60)
    dash_duo.select_dcc_dropdown("#logs-source", value=f"Parquet dataset: {folder}")

    box = dash_duo.find_element("#logs-prepare-box")
    bar = dash_duo.find_element("#logs-prepare-progress")
    until(lambda: "parts read on Dask" in bar.text, timeout=60)  # the bar while the build runs
    assert box.is_displayed()
    assert _matching(dash_duo) != EVENTS  # the dashboard waits for the cube

    until(lambda: _matching(dash_duo) == EVENTS, timeout=120)
    assert "Parquet dataset" in _pager(dash_duo)
    until(lambda: not box.is_displayed(), timeout=10)
    assert f"source=dataset%3A{str(folder).replace('/', '%2F')}" in dash_duo.driver.current_url

    statuses = dash_duo.driver.execute_script(
        "const el = document.querySelector('#logs-status .js-plotly-plot');return Array.from(el._fullData[0].labels);"
    )
    slices = dash_duo.find_elements("#logs-status g.slice path.surface")
    ActionChains(dash_duo.driver).move_to_element(slices[statuses.index("500")]).click().perform()
    dash_duo.wait_for_text_to_equal("#logs-chips button", "status: 500 ×", timeout=30)
    until(lambda: 0 < _matching(dash_duo) < EVENTS, timeout=30)
    shown = {cell.text for cell in dash_duo.find_elements("#logs-events .ag-row [col-id='status']")}
    assert shown == {"500"}
    assert dash_duo.get_logs() == []


def test_a_dataset_not_in_the_configuration_opens_nothing(dash_duo, dataset_app, tmp_path):
    app, folder = dataset_app
    dash_duo.start_server(app)
    crafted = folder.parent / "elsewhere"
    dash_duo.driver.get(dash_duo.server_url + f"/logs#source=dataset:{crafted}")
    dash_duo.wait_for_contains_text("#logs-source-error", "only those named by GLASSBOX_LOG_DATASETS", timeout=60)
    assert not dash_duo.find_element("#logs-prepare-box").is_displayed()
