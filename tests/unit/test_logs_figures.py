"""The logs figure builders: data shown as text, never as markup."""

import numpy as np
import pandas as pd
import plotly.io as pio

from models.logs import view as views
from webapp.components import logs_figures as figs

MARKUP = "<b>x</b>"
SHOWN = "&lt;b&gt;x&lt;/b&gt;"  # what Plotly draws as the literal text <b>x</b>


def _frame(labels):
    return pd.DataFrame({"label": labels, "events": np.arange(len(labels), 0, -1), "errors": [0] * len(labels)})


def test_bar_labels_ticks_and_hover_escape_markup_from_the_data():
    figure = figs.bars_figure(_frame(["P1", MARKUP, "a&b"]), "label", "Events by product", [MARKUP], horizontal=True)
    bar = figure["data"][0]
    assert list(bar["y"]) == ["P1", SHOWN, "a&amp;b"]
    assert list(bar["marker"]["color"]) == [figs.MUTED, figs.SELECTED, figs.MUTED]  # selection compares the raw value
    assert MARKUP not in pio.to_json(figure)


def test_status_and_category_labels_escape_markup():
    pie = figs.status_figure(pd.DataFrame({"label": ["200", MARKUP], "events": [3, 1], "errors": [0, 1]}), [])
    assert list(pie["data"][0]["labels"]) == ["200", SHOWN]
    bars = figs.bars_figure(_frame([MARKUP]), "label", "Events by category", [], horizontal=True)
    assert MARKUP not in pio.to_json(bars)


def test_a_click_on_an_escaped_label_filters_on_the_raw_value():
    view = views.toggle(views.DEFAULT_VIEW, "products", views.chart_value(SHOWN))
    assert view["filters"]["products"] == [MARKUP]
    assert views.chart_value("a&amp;amp;b") == "a&amp;b"
    assert views.chart_value("12") == "12"


def test_bar_labels_get_a_margin_that_fits_them_and_very_long_ones_plotlys_automatic_margin():
    # Axes lay out with fixed margins (no text measuring on each redraw): the margin must fit the labels.
    short = figs.bars_figure(_frame(["TEE", "ACCESSORIES"]), "label", "Events by category", [], horizontal=True)
    layout = short["layout"]
    assert layout["margin"]["l"] >= figs.CHAR_PX * len("ACCESSORIES")
    assert layout["yaxis"]["automargin"] is False and layout["xaxis"]["automargin"] is False
    long_id = "product-" + "x" * 60
    long = figs.bars_figure(_frame([long_id]), "label", "Events by product", [], horizontal=True)["layout"]
    assert long["yaxis"]["automargin"] is True  # Plotly widens the margin rather than cut the label
    days = figs.bars_figure(
        pd.DataFrame({"day": ["2023-05-01", "2023-05-02"], "events": [1, 2], "errors": [0, 0]}), "day", "Days", []
    )["layout"]
    assert days["margin"]["b"] >= figs.CHAR_PX * len("2023-05-01")  # room for upright dates
