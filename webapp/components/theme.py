"""Plotly figure templates that match the Bootstrap colour mode, and figures that follow a theme switch."""

from __future__ import annotations

from functools import cache

import dash
import plotly.graph_objects as go
import plotly.io as pio
from dash import Input, Output, Patch
from dash_bootstrap_templates import load_figure_template

from webapp import ids

TEMPLATES = {"dark": "bootstrap_dark", "light": "bootstrap"}
load_figure_template(list(TEMPLATES.values()))


def template_name(theme: str | None) -> str:
    """Template for a stored theme value; anything unknown falls back to the default, dark."""
    return TEMPLATES.get(theme or "dark", TEMPLATES["dark"])


@cache
def _template_json(name: str) -> dict:
    return pio.templates[name].to_plotly_json()


# Layout parts of a template that only figures with these trace types read (3D scenes, maps, polar, ternary).
SUBPLOT_KINDS = {
    "scene": {"scatter3d", "surface", "mesh3d", "cone", "streamtube", "volume", "isosurface"},
    "geo": {"scattergeo", "choropleth"},
    "polar": {"scatterpolar", "scatterpolargl", "barpolar"},
    "ternary": {"scatterternary"},
    "mapbox": {"scattermapbox", "choroplethmapbox", "densitymapbox"},
    "map": {"scattermap", "choroplethmap", "densitymap"},
}


@cache
def _template_for(name: str, trace_types: frozenset[str]) -> dict:
    """The parts of a template a figure with these trace types reads: their trace defaults, and the layout but
    the subplots of other kinds. A whole template is ~7.8 KB of JSON, mostly defaults for two dozen trace types a
    chart never has; the logs page sends seven figures per click, ~55 KB of templates, ~19 KB this way."""
    whole = _template_json(name)
    layout = {
        key: value
        for key, value in whole.get("layout", {}).items()
        if key not in SUBPLOT_KINDS or SUBPLOT_KINDS[key] & trace_types
    }
    return {
        "data": {kind: whole["data"][kind] for kind in sorted(trace_types) if kind in whole["data"]},
        "layout": layout,
    }


def _trace_types(traces) -> frozenset[str]:
    return frozenset(trace.get("type", "scatter") if isinstance(trace, dict) else trace.type for trace in traces or ())


def themed(figure: go.Figure | dict, theme: str | None) -> dict:
    """The figure as JSON (a ``go.Figure``, or a figure already as JSON) with the theme's template (the parts its
    traces read, see ``_template_for``): ~1 ms, where assigning a template object with ``update_layout`` takes ~25
    because it validates and deep-copies all of it."""
    data = dict(figure) if isinstance(figure, dict) else figure.to_plotly_json()
    template = _template_for(template_name(theme), _trace_types(data.get("data")))
    data["layout"] = {**data.get("layout", {}), "template": template}
    return data


def retheme_patch(theme: str | None) -> Patch:
    """A partial update that swaps a figure's template and leaves its data alone."""
    patch = Patch()
    patch["layout"]["template"] = _template_json(template_name(theme))
    return patch


def follow_theme(*graph_ids: str) -> None:
    """Register one callback that re-themes these graphs whenever the user switches theme.

    Callbacks that build these figures should also read ``State(ids.THEME_STORE, "data")``
    and return ``themed(figure, theme)`` so a fresh figure starts in the right theme.
    """

    @dash.callback(
        [Output(graph_id, "figure", allow_duplicate=True) for graph_id in graph_ids],
        Input(ids.THEME_STORE, "data"),
        prevent_initial_call="initial_duplicate",
    )
    def _retheme(theme):
        return [retheme_patch(theme) for _ in graph_ids]
