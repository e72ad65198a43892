"""The logs page's server-file and live-mode callbacks, called as plain functions."""

from types import SimpleNamespace

import pytest
from dash import Patch, no_update
from dash.exceptions import PreventUpdate

from models.logs.aggregate import Filters

LINE = (
    '10.0.0.{i} - - [01/May/2023:{h:02d}:{m:02d}:00 +0000] "GET /product/P{p} HTTP/1.1" {code} 100 "-" "Mozilla/5.0"\n'
)


def _lines(first, count):
    return "".join(
        LINE.format(i=i % 250, h=10 + i // 60, m=i % 60, p=i % 3, code=200 if i % 5 else 500)
        for i in range(first, first + count)
    )


@pytest.fixture
def served(tmp_path):
    path = tmp_path / "access.log"
    path.write_text(_lines(0, 90))  # 10:00 to 11:29
    return path


@pytest.fixture
def page(app_config, served):
    from webapp import create_app

    app = create_app({**app_config, "LOG_PATHS": str(served)})
    from webapp.views.logs import live, prepare, render

    def render_as_the_page_does(view, theme, live):
        """Render; a source not stored yet is parsed by the background job, then drawn (what the browser does)."""
        asked = prepare.request(view)
        if asked["request"] is not no_update:
            prepare.parse_source(asked["request"]["source"], app.server.config, lambda *_: None)
        return render.render(view, theme, live, asked["request"] or asked["prepared"])

    with app.server.app_context():
        yield SimpleNamespace(render=render_as_the_page_does, follow_log=live.follow_log, plain_render=render.render)


def _view(source, **filters):
    return {"source": source, "granularity": "hour", "page": 0, "filters": Filters.from_dict(filters).to_dict()}


def test_render_reads_a_server_file_and_remembers_where_it_stopped(page, served):
    out = page.render(_view(f"path:{served}"), None, None)
    live = out["live"]
    assert live["source"] == f"path:{served}" and live["offset"] == served.stat().st_size and live["lines"] == 90
    assert live["buckets"] == 2 and live["traces"] == 3
    assert "90 matching" in out["pager"]


def test_render_never_parses_a_file_that_is_not_stored_yet(page, served, monkeypatch):
    from models.logs import follow

    monkeypatch.setattr(follow, "_parse_stored", lambda *a: pytest.fail("parsed in the render callback"))
    from webapp.views.logs import prepare

    out = page.plain_render(_view(f"path:{served}"), None, None)
    assert out["error"] is None
    assert all(out[name] is no_update for name in ("timeseries", "rows", "pager", "live"))
    monkeypatch.setattr(prepare, "SMALL_BYTES", 0)
    assert prepare.request(_view(f"path:{served}")) == {  # the job is asked for, its bar from empty
        "request": {"source": f"path:{served}"},
        "prepared": no_update,
        "value": 0,
        "label": "Starting…",
    }


def test_a_small_server_file_is_parsed_at_once_without_a_job(page, served):
    from webapp.views.logs import prepare

    asked = prepare.request(_view(f"path:{served}"))
    assert asked["prepared"] == {"source": f"path:{served}"} and asked["request"] is no_update
    assert "90 matching" in page.plain_render(_view(f"path:{served}"), None, None)["pager"]


def test_the_background_job_parses_with_progress_then_render_draws_without_parsing(page, served, monkeypatch):
    from models.logs import follow
    from webapp.views.logs import prepare

    steps = []
    out = prepare.prepare(lambda step: steps.append(step), {"source": f"path:{served}"}, None)
    assert out["prepared"] == {"source": f"path:{served}"} and out["message"] is None
    assert steps[-1] == (100, "Drawing…") and any(label.endswith("kB") for _, label in steps)
    monkeypatch.setattr(follow, "_parse_stored", lambda *a: pytest.fail("parsed again"))
    assert "90 matching" in page.plain_render(_view(f"path:{served}"), None, None)["pager"]
    assert prepare.request(_view(f"path:{served}"))["request"] is no_update  # stored: no job


def test_the_background_job_says_why_a_source_cannot_be_read(page, served):
    from webapp.views.logs import prepare

    for request in ({"source": f"path:{served.parent}/nope.log"}, {"source": "upload-0000000000000000"}):
        out = prepare.prepare(lambda step: None, request, None)
        assert out["prepared"] is no_update and "cannot be read" in str(out["message"].children)
    out = prepare.prepare(lambda step: None, {"source": 7}, None)
    assert out["prepared"] is no_update and out["done"] is True


def test_render_refuses_a_path_the_configuration_does_not_name(page, served):
    out = page.render(_view(f"path:{served.parent}/../etc/passwd"), None, None)
    assert "only the files named by GLASSBOX_LOG_PATHS" in str(out["error"].children)


def test_a_tick_patches_the_time_series_with_the_appended_lines(page, served):
    view = _view(f"path:{served}")
    live = page.render(view, None, None)["live"]
    with pytest.raises(PreventUpdate):
        page.follow_log(1, view, live, None)  # nothing appended yet
    with open(served, "a") as out:
        out.write(_lines(90, 60))  # 11:30 to 12:29: one bucket grows, one is new
    out = page.follow_log(2, view, live, None)
    patch = out["timeseries"]
    assert isinstance(patch, Patch)
    operations = patch.to_plotly_json()["operations"]
    assigned = [
        (o["location"], o["params"]["value"])
        for o in operations
        if o["operation"] == "Assign" and o["location"][-2] == "y"
    ]
    assert (["data", 0, "y", 1], 60) in assigned  # 11:00-11:59 now holds 60 events, was 30
    extended = [
        o["params"]["value"] for o in operations if o["operation"] == "Extend" and o["location"] == ["data", 0, "y"]
    ]
    assert extended == [[30]]
    assert out["live"]["offset"] == served.stat().st_size and out["live"]["buckets"] == 3
    assert "150 matching" in out["pager"]


def test_timeseries_patch_adds_and_drops_the_trend_trace():
    from webapp.components.logs_figures import timeseries_patch

    figure = {
        "data": [
            {"x": ["a", "b", "c"], "y": [1, 2, 3]},
            {"x": ["a", "b", "c"], "y": [0, 0, 1]},
            {"x": []},
            {"x": ["t"]},
        ]
    }
    ops = timeseries_patch(figure, 1, 2, 3).to_plotly_json()["operations"]
    assert {"operation": "Append", "location": ["data"], "params": {"value": {"x": ["t"]}}} in ops
    ops = timeseries_patch({"data": figure["data"][:3]}, 1, 2, 4).to_plotly_json()["operations"]
    assert {"operation": "Delete", "location": ["data", 3], "params": {}} in ops
    assert timeseries_patch(figure, 0, 500, 4) is figure  # too many changed points: redraw


def test_without_a_range_the_period_comparison_shows_dashes_not_zeros(page, served):
    compare = str(page.render(_view(f"path:{served}"), None, None)["compare"])
    assert "—" in compare and "Drag across the time series" in compare
    start = 1682937000  # 2023-05-01 10:30 UTC: the 30 minutes before it hold events
    compare = str(page.render(_view(f"path:{served}", start=start, end=start + 1800), None, None)["compare"])
    assert "—" not in compare and "before it" in compare


def test_a_click_draws_without_waiting_for_the_prepare_request(page):
    """Dash holds a callback while another that outputs one of its inputs is pending: render, drawn for
    a new view state, must not take ``PREPARED`` (which ``prepare.request`` outputs on every view change)
    as an input, or each click waits a round trip before drawing. A stored source still draws: a second
    registration takes ``PREPARED`` as its input and the view as state."""
    import dash

    from webapp.views.logs import ids

    drawing = [
        spec
        for output, spec in dash.get_app().callback_map.items()
        if f"{ids.TIMESERIES}.figure" in output and f"{ids.GRID}.rowData" in output
    ]
    triggers = sorted(tuple(sorted(f"{i['id']}.{i['property']}" for i in spec["inputs"])) for spec in drawing)
    view, prepared = f"{ids.VIEW}.data", f"{ids.PREPARED}.data"
    assert (view,) in triggers and (prepared,) in triggers  # the live tick draws too (its own trigger)
    assert not [t for t in triggers if view in t and prepared in t]
    outputs = page.plain_render.__globals__["OUTPUTS"]
    unchanged = {name: [no_update] * len(o) if isinstance(o, list) else no_update for name, o in outputs.items()}
    assert page.plain_render(None, None, None) == unchanged


def test_a_click_on_a_chart_changes_its_colours_only_and_an_unchanged_chart_is_left_alone(page, served):
    """The browser says what its charts were drawn from (``drawn``): a click on the status pie gives the pie a
    Patch of its pulled slice alone (its counts do not follow its own filter) and redraws the other charts,
    which the same filters drawn again leave alone; a source just stored draws everything."""
    from webapp.views.logs import render

    first = page.render(_view(f"path:{served}"), None, None)
    clicked = page.plain_render(
        _view(f"path:{served}", statuses=[500]), None, first["live"], None, None, first["drawn"]
    )
    operations = clicked["status"].to_plotly_json()["operations"]
    full = page.plain_render(_view(f"path:{served}", statuses=[500]), None, first["live"])["status"]
    assert operations == [
        {"operation": "Assign", "location": ["data", 0, "pull"], "params": {"value": full["data"][0]["pull"]}}
    ]
    assert 0.08 in full["data"][0]["pull"]  # the 500 slice pulled out
    for name in ("timeseries", "daily", "hourly", "products", "categories", "heatmap"):
        assert isinstance(clicked[name], dict) and "layout" in clicked[name], name  # drawn again: the filter changed
    assert "matching" in clicked["pager"]

    again = page.plain_render(
        _view(f"path:{served}", statuses=[500]), None, first["live"], None, None, clicked["drawn"]
    )
    assert all(again[name] is no_update for name in render.ids.GRAPHS)  # the same view: no chart drawn again
    assert again["rows"] == clicked["rows"] and again["pager"] == clicked["pager"]
    stored = page.plain_render(
        _view(f"path:{served}", statuses=[500]), None, first["live"], {"source": 1}, None, clicked["drawn"]
    )
    assert all(isinstance(stored[name], dict) for name in render.ids.GRAPHS)
