"""The logs page's time series: bounded points per trace, and zooming through Dash's own endpoint.

Callbacks are posted to ``/_dash-update-component`` as the browser posts them, so a crafted
``relayoutData`` meets the same code path an attacker's request would.
"""

import base64
import json

import numpy as np
import plotly.graph_objects as go
import pytest

from models.logs.aggregate import Filters, dashboard
from models.logs.downsample import MAX_POINTS
from models.logs.sources import load_events
from webapp.components import logs_figures as figs

SAMPLE_VIEW = {"source": "sample", "granularity": "minute", "page": 0, "filters": Filters().to_dict()}


def _values(array) -> np.ndarray:
    """A figure's array: a typed-array spec (``{"dtype", "bdata"}``) or a list."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
    return np.asarray(array)


def _post(client, output: str, inputs: list[dict], state: list[dict] | None = None):
    """POST one callback as the browser does: the callback whose outputs include ``output``."""
    deps = client.get("/_dash-dependencies").get_json()
    triggers = {(i["id"], i["property"]) for i in inputs}
    dep = next(d for d in deps if output in d["output"] and triggers <= {(i["id"], i["property"]) for i in d["inputs"]})
    values = {(i["id"], i["property"]): i.get("value") for i in inputs + (state or [])}

    def spec(items):
        return [{**i, "value": values.get((i["id"], i["property"]))} for i in items]

    outputs = []
    for part in dep["output"].strip(".").split("..."):
        component, _, prop = part.rpartition(".")
        outputs.append({"id": component, "property": prop.split("@")[0]})
    payload = {
        "output": dep["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": spec(dep["inputs"]),
        "state": spec(dep["state"]),
        "changedPropIds": [f"{i['id']}.{i['property']}" for i in inputs],
    }
    return client.post("/_dash-update-component", json=payload)


def _zoom(client, relayout, zoomed=None):
    return _post(
        client,
        "logs-zoom.data",
        [{"id": "logs-timeseries", "property": "relayoutData", "value": relayout}],
        [
            {"id": "logs-view", "property": "data", "value": SAMPLE_VIEW},
            {"id": "logs-zoom", "property": "data", "value": zoomed},
        ],
    )


@pytest.fixture
def client(app):
    """A client of an app whose sample is stored already, as the page's prepare job leaves it (render and zoom
    never parse)."""
    load_events("sample", app.server.config["DATA_DIR"])
    return app.server.test_client()


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return load_events("sample", tmp_path_factory.mktemp("data"))  # generated; its store goes in a temporary folder


def test_a_minute_series_is_drawn_with_a_bounded_number_of_points_and_keeps_its_spike(sample):
    data = dashboard(sample, Filters(), "minute")
    series = data["timeseries"].copy()
    assert len(series) > 4 * MAX_POINTS  # ten days of minutes
    spike = len(series) // 3
    series.loc[spike, "events"] = series["events"].max() * 10
    figure = figs.timeseries_figure(series, data["trend"], None, "minute")
    events, errors = (_values(figure["data"][i]["y"]) for i in (0, 1))
    assert 0 < len(events) <= 4_000 and 0 < len(errors) <= 4_000
    assert events.max() == series["events"].max()
    spike_ms = (series["time"][spike] - series["time"][0]).total_seconds() * 1000 + _values(figure["data"][0]["x"])[0]
    assert spike_ms in _values(figure["data"][0]["x"])


def test_every_logs_figure_passes_plotlys_validation(sample):
    filters = Filters(start=sample.span[0] + 86_400, end=sample.span[0] + 3 * 86_400, statuses=(200, 404))
    for granularity in ("minute", "hour", "day"):
        data = dashboard(sample, filters, granularity)
        for name, figure in figs.dashboard_figures(data, filters, granularity).items():
            go.Figure(figure)  # raises on any property plotly does not know
            assert figure["data"], name
    empty = dashboard(sample, Filters(statuses=(599,)), "hour")
    for figure in figs.dashboard_figures(empty, Filters(statuses=(599,)), "hour").values():
        go.Figure(figure)


def test_zooming_sends_the_finer_points_of_the_visible_range_and_autoscale_the_overview(client):
    day = ("2023-05-05 00:00:00", "2023-05-05 06:00:00")  # 360 minutes inside ten days
    response = _zoom(client, {"xaxis.range[0]": day[0], "xaxis.range[1]": day[1]})
    assert response.status_code == 200, response.data[:500]
    out = response.get_json()["response"]
    window = out["logs-zoom"]["data"]["window"]
    assert window == [1683244800000.0, 1683266400000.0]
    operations = out["logs-timeseries"]["figure"]["operations"]
    assert {tuple(op["location"]) for op in operations} == {("data", t, a) for t in (0, 1) for a in ("x", "y")}
    x = _values(next(op for op in operations if op["location"] == ["data", 0, "x"])["params"]["value"])
    inside = (x >= window[0]) & (x < window[1])
    assert inside.sum() == 360  # every minute of the window, where the overview had a few dozen
    assert len(x) <= 2 * MAX_POINTS + 4

    back = _zoom(client, {"xaxis.autorange": True, "yaxis.autorange": True}, zoomed={"window": window})
    out = back.get_json()["response"]
    assert out["logs-zoom"]["data"] is None
    x = _values(out["logs-timeseries"]["figure"]["operations"][0]["params"]["value"])
    assert ((x >= window[0]) & (x < window[1])).sum() < 100


@pytest.mark.parametrize(
    "relayout",
    [
        {"xaxis.range[0]": "not a date", "xaxis.range[1]": "<script>"},
        {"xaxis.range[0]": "NaN", "xaxis.range[1]": "Infinity"},
        {"xaxis.range[0]": 1e308, "xaxis.range[1]": 1.7e308},
        {"xaxis.range[0]": "2023-05-06", "xaxis.range[1]": "2023-05-05"},
        {"xaxis.range": ["2023-05-05", None]},
        {"xaxis.range": {"0": 1, "1": 2}},
        {"selections": [{"type": "rect", "x0": "2023-05-05", "x1": "2023-05-06"}]},
        ["xaxis.range[0]"],
        "xaxis.autorange",
        12,
    ],
)
def test_a_crafted_relayout_changes_nothing_and_never_fails(client, relayout):
    response = _zoom(client, relayout)
    assert response.status_code == 200, response.data[:500]
    assert response.get_json()["response"] == {}  # no output updated: the chart and the stored zoom stay


def test_a_crafted_zoom_store_draws_the_overview(client):
    view = json.loads(json.dumps(SAMPLE_VIEW))
    response = _post(
        client,
        "logs-timeseries.figure",
        [{"id": "logs-view", "property": "data", "value": view}],
        [{"id": "logs-zoom", "property": "data", "value": {"window": ["NaN", {"x": 1}]}}],
    )
    assert response.status_code == 200, response.data[:500]
    figure = response.get_json()["response"]["logs-timeseries"]["figure"]
    assert len(_values(figure["data"][0]["x"])) <= MAX_POINTS + 2


@pytest.mark.parametrize(
    "fragment",
    [
        {"hash": 123},
        {"hash": ["#source=sample"]},
        "#source=sample",
        5,
        {"hash": "#source=sample&hours=3~x~99&page=-4"},
        {"hash": "#" + "a=b&" * 200_000},
        {"hash": "#source=%ZZ&statuses=1e400"},
    ],
)
def test_a_crafted_fragment_store_gives_a_view_not_an_error(client, fragment):
    """The fragment store (``logs-fragment``, set in the browser) reaches ``update_view`` from the client: whatever it
    holds, the page gets a view back (the default where it makes no sense), never a 500."""
    response = _post(
        client,
        "logs-view.data",
        [{"id": "logs-fragment", "property": "data", "value": fragment}],
        [{"id": "logs-view", "property": "data", "value": None}],
    )
    assert response.status_code == 200, response.data[:300]
    view = json.loads(response.data)["response"]["logs-view"]["data"]
    assert view["granularity"] == "hour" and view["page"] == 0 and isinstance(view["filters"]["hours"], list)
