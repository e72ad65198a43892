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
