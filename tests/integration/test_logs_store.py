"""The logs page opening a server log that is not stored yet: a progress bar while a background job parses it."""

import time

import pytest
from dash.testing.wait import until

pytestmark = pytest.mark.browser

LINE = '10.0.0.{i} - - [01/May/2023:{h:02d}:{m:02d}:{s:02d} +0000] "GET /product.screen?productId=P{p} HTTP/1.1" {code} 100 "-" "Mozilla/5.0"\n'

RECORD_PROGRESS = """
window.__prepare = [];
const box = document.querySelector('#logs-prepare-box');
const note = () => {
    const inner = box.querySelector('.progress-bar');
    window.__prepare.push([box.hidden, inner ? parseInt(inner.getAttribute('aria-valuenow') || '0', 10) : null,
                           inner ? inner.textContent : '', (document.querySelector('#logs-pager') || {}).textContent]);
};
new MutationObserver(note).observe(box, {subtree: true, attributes: true, childList: true, characterData: true});
"""


@pytest.fixture
def big_log(tmp_path):
    path = tmp_path / "served" / "access.log"
    path.parent.mkdir()
    with open(path, "w") as out:
        for first in range(0, 12_000, 1000):
            out.write(
                "".join(
                    LINE.format(
                        i=i % 250, h=i // 3600 % 24, m=i // 60 % 60, s=i % 60, p=i % 3, code=200 if i % 4 else 503
                    )
                    for i in range(first, first + 1000)
                )
            )
    return path


def _pager(dash_duo) -> str:
    return dash_duo.find_element("#logs-pager").text


def test_a_server_log_not_stored_yet_shows_progress_then_the_dashboard(dash_duo, app_config, big_log, monkeypatch):
    from models.logs import follow, parse
    from webapp import create_app
    from webapp.views.logs import prepare

    app = create_app({**app_config, "LOG_PATHS": str(big_log)})
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/logs")
    until(lambda: "matching" in _pager(dash_duo), timeout=60)  # the sample first
    # Then a test hook that slows the parse: small chunks, each read taking a moment (the job's process is forked
    # from this one, so it inherits both).
    monkeypatch.setattr(prepare, "SMALL_BYTES", 0)  # a job for this file too, however small
    monkeypatch.setattr(parse, "CHUNK_BYTES", 64 * 1024)
    real = follow._Progress.readinto

    def slow(self, buffer):
        time.sleep(0.25)
        return real(self, buffer)

    monkeypatch.setattr(follow._Progress, "readinto", slow)
    dash_duo.driver.execute_script(RECORD_PROGRESS)
    dash_duo.select_dcc_dropdown("#logs-source", value=f"Server: {big_log}")

    # While it parses: the bar is on screen and moves, the sample's dashboard still stands.
    until(lambda: dash_duo.find_element("#logs-prepare-box").is_displayed(), timeout=20)
    until(
        lambda: (
            int(dash_duo.find_element("#logs-prepare-progress .progress-bar").get_attribute("aria-valuenow") or 0) > 0
        ),
        timeout=30,
    )
    assert "Reading the log for the first time" in dash_duo.find_element("#logs-prepare-box").text
    assert " of " in dash_duo.find_element("#logs-prepare-progress").text
    assert "200,000 matching" in _pager(dash_duo)

    # Then the file's dashboard, and the bar is gone.
    until(lambda: "12,000 matching" in _pager(dash_duo), timeout=90)
    until(lambda: not dash_duo.find_element("#logs-prepare-box").is_displayed(), timeout=10)
    shown = dash_duo.driver.execute_script("return window.__prepare;")
    values = sorted({value for hidden, value, _, _ in shown if not hidden and value and 0 < value < 100})
    assert len(values) >= 2, shown  # several steps, seen while the sample was still drawn
    assert all("200,000" in pager for hidden, value, _, pager in shown if not hidden and value and value < 100)

    # A second open reads the store: the dashboard comes without the bar.
    monkeypatch.setattr(follow, "_parse_stored", lambda *a: pytest.fail("parsed again"))
    dash_duo.driver.get(dash_duo.server_url + f"/logs#source=path:{big_log}")
    until(lambda: "12,000 matching" in _pager(dash_duo), timeout=60)
    dash_duo.driver.execute_script(RECORD_PROGRESS)
    assert not dash_duo.find_element("#logs-prepare-box").is_displayed()
    assert dash_duo.get_logs() == []
