import json

import plotly.graph_objects as go
import plotly.io as pio

from webapp.components.theme import retheme_patch, template_name, themed


def test_unknown_or_missing_theme_is_dark():
    assert template_name(None) == template_name("dark") == template_name("neon") == "bootstrap_dark"
    assert template_name("light") == "bootstrap"


def test_themed_sets_matching_backgrounds():
    dark = themed(go.Figure(), "dark")["layout"]["template"]["layout"]
    light = themed(go.Figure(), "light")["layout"]["template"]["layout"]
    assert dark["paper_bgcolor"] == pio.templates["bootstrap_dark"].layout.paper_bgcolor
    assert light["paper_bgcolor"] != dark["paper_bgcolor"]


def test_retheme_patch_only_touches_the_template():
    operations = retheme_patch("light").to_plotly_json()["operations"]
    assert [op["location"] for op in operations] == [["layout", "template"]]
    assert (
        operations[0]["params"]["value"]["layout"]["paper_bgcolor"] == "#fff"
        or operations[0]["params"]["value"]["layout"]["paper_bgcolor"]
        == pio.templates["bootstrap"].layout.paper_bgcolor
    )


def test_a_themed_figure_carries_only_the_template_parts_its_traces_read():
    """Seven charts a click on the logs page: each carried the whole template (~7.8 KB), defaults for two dozen
    trace types it never has."""
    whole = pio.templates["bootstrap_dark"].to_plotly_json()
    figure = go.Figure([go.Bar(x=[1], y=[2]), go.Scatter(x=[1], y=[1]), go.Bar(x=[2], y=[3])])
    template = themed(figure, "dark")["layout"]["template"]
    assert sorted(template["data"]) == ["bar", "scatter"]
    assert template["data"]["bar"] == whole["data"]["bar"] and template["data"]["scatter"] == whole["data"]["scatter"]
    assert "scene" not in template["layout"] and "polar" not in template["layout"]
    assert {k: v for k, v in whole["layout"].items() if k in template["layout"]} == template["layout"]
    assert len(json.dumps(template)) < len(json.dumps(whole)) / 2
    # A 3D figure keeps its scene's defaults; a figure as JSON without a type is a scatter, as Plotly reads it.
    assert themed({"data": [{"type": "surface"}], "layout": {}}, "light")["layout"]["template"]["layout"]["scene"]
    assert list(themed({"data": [{"x": [1]}], "layout": {}}, "dark")["layout"]["template"]["data"]) == ["scatter"]
