import plotly.graph_objects as go
import plotly.io as pio

from webapp.components.theme import apply_theme, retheme_patch, template_name


def test_unknown_or_missing_theme_is_dark():
    assert template_name(None) == template_name("dark") == template_name("neon") == "bootstrap_dark"
    assert template_name("light") == "bootstrap"


def test_apply_theme_sets_matching_backgrounds():
    dark = apply_theme(go.Figure(), "dark")
    light = apply_theme(go.Figure(), "light")
    assert dark.layout.template.layout.paper_bgcolor == pio.templates["bootstrap_dark"].layout.paper_bgcolor
    assert light.layout.template.layout.paper_bgcolor != dark.layout.template.layout.paper_bgcolor


def test_retheme_patch_only_touches_the_template():
    operations = retheme_patch("light").to_plotly_json()["operations"]
    assert [op["location"] for op in operations] == [["layout", "template"]]
    assert (
        operations[0]["params"]["value"]["layout"]["paper_bgcolor"] == "#fff"
        or operations[0]["params"]["value"]["layout"]["paper_bgcolor"]
        == pio.templates["bootstrap"].layout.paper_bgcolor
    )
