"""The logs page's time series in a real browser: a bounded number of points, and zooming fetches finer ones."""

import pytest
from dash.testing.wait import until

pytestmark = pytest.mark.browser

WINDOW = ("2023-05-05 00:00:00", "2023-05-05 06:00:00")  # six hours of the sample's ten days
WINDOW_MS = (1683244800000, 1683266400000)


def _series(dash_duo) -> dict:
    """What the time-series graph div's ``data`` holds (as sent, before Plotly decodes it into ``_fullData``):
    its title and, per trace, the points' count and those in WINDOW."""
    return dash_duo.driver.execute_script(
        """
        const el = document.querySelector('#logs-timeseries .js-plotly-plot');
        if (!el || !el.data || !el.layout) { return null; }
        const [lo, hi] = arguments[0];
        const types = {f8: Float64Array, f4: Float32Array, i4: Int32Array, i2: Int16Array, i1: Int8Array};
        const values = (a) => {  // what the server sent: a typed-array spec {dtype, bdata}, or a list
            if (!a) { return []; }
            if (a.bdata === undefined) { return Array.from(a); }
            const bytes = Uint8Array.from(atob(a.bdata), (c) => c.charCodeAt(0));
            return Array.from(new types[a.dtype](bytes.buffer));
        };
        return {
            title: (el.layout.title && el.layout.title.text) || '',
            traces: el.data.map(t => {
                const x = values(t.x);
                return {name: t.name, points: x.length, inWindow: x.filter(v => v >= lo && v < hi).length};
            }),
        };
        """,
        list(WINDOW_MS),
    )


def _relayout(dash_duo, update: dict) -> None:
    dash_duo.driver.execute_script(
        "Plotly.relayout(document.querySelector('#logs-timeseries .js-plotly-plot'), arguments[0]);", update
    )


def _in_window(dash_duo) -> int:
    state = _series(dash_duo)
    return state["traces"][0]["inWindow"] if state and state["traces"] else -1


def test_minute_series_is_bounded_and_zooming_fetches_finer_points(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/logs")
    until(lambda: "matching" in dash_duo.find_element("#logs-pager").text, timeout=60)
    dash_duo.find_element("#logs-granularity input[value='minute']").click()
    until(lambda: "per minute" in (_series(dash_duo) or {}).get("title", ""), timeout=30)
    overview = _series(dash_duo)
    lines = [t for t in overview["traces"] if t["name"] in ("events", "errors (4xx/5xx)")]
    assert len(lines) == 2
    for trace in overview["traces"]:
        assert trace["points"] <= 4_000, trace  # ten days are 14,400 minutes
    assert lines[0]["points"] > 1_000
    coarse = overview["traces"][0]["inWindow"]
    assert coarse < 200

    _relayout(dash_duo, {"xaxis.range": list(WINDOW)})  # what a zoom box or the zoom buttons do
    until(lambda: _in_window(dash_duo) > coarse, timeout=30)
    assert _in_window(dash_duo) == 360  # every minute of the six hours
    zoomed = _series(dash_duo)
    assert all(t["points"] <= 2 * 2_000 + 4 for t in zoomed["traces"])
    assert "per minute" in zoomed["title"]  # the same figure, patched: not redrawn
    assert "matching" in dash_duo.find_element("#logs-pager").text

    _relayout(dash_duo, {"xaxis.autorange": True, "yaxis.autorange": True})  # a double-click
    until(lambda: _in_window(dash_duo) == coarse, timeout=30)
    assert dash_duo.find_elements("#logs-chips button") == []  # a zoom is not a filter
    assert dash_duo.get_logs() == []


def test_a_zoom_survives_a_filter_click(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/logs")
    until(lambda: "matching" in dash_duo.find_element("#logs-pager").text, timeout=60)
    dash_duo.find_element("#logs-granularity input[value='minute']").click()
    until(lambda: "per minute" in (_series(dash_duo) or {}).get("title", ""), timeout=30)
    _relayout(dash_duo, {"xaxis.range": list(WINDOW)})
    until(lambda: _in_window(dash_duo) == 360, timeout=30)
    # Another status: the figure is drawn again, and still holds every minute of the zoomed window.
    dash_duo.driver.execute_script("window.location.hash = window.location.hash + '&statuses=404';")
    until(lambda: any("status: 404" in b.text for b in dash_duo.find_elements("#logs-chips button")), timeout=30)
    assert _in_window(dash_duo) == 360
    assert dash_duo.get_logs() == []
