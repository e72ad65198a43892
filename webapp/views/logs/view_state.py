"""Every filtering gesture of the logs page becomes the one view state, mirrored in the URL fragment."""

from __future__ import annotations

from dash import ALL, ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, no_update

from models.logs import view as views
from webapp.components.viewstate import decode_hash, encode_hash
from webapp.views.logs import ids

NOTHING = {"view": no_update, "hash": no_update, "source": no_update, "granularity": no_update}


def view_from_hash(fragment: str | None) -> dict:
    return views.view_from_state(decode_hash(fragment, views.LIST_KEYS))


def url_hash(view: dict) -> str:
    return encode_hash(views.url_state(view))


def _next_view(trigger, view: dict, selected, source, granularity) -> dict | None:
    """The view after the gesture that fired, or None when it changes nothing. (A click on a chart or a chip is
    decided in the browser, ``assets/logs.js``, as ``views.toggle`` and ``views.with_range`` decide it.)"""
    if trigger == ids.TIMESERIES:
        start, end = views.range_from_selection(selected)
        # Plotly drops its selection box when the figure is redrawn; the range stays until
        # the user removes its chip or resets.
        return None if start is None else views.with_range(view, start, end)
    if trigger == ids.RESET:
        return views.reset(view)
    if trigger == ids.SOURCE:
        # No value: the menu dropped a source it does not list (a crafted link); keep it, so render says why.
        return None if not source or source == view["source"] else views.with_source(view, source)
    if trigger == ids.GRAN:
        return views.with_granularity(view, granularity)
    if trigger in (ids.PREV, ids.NEXT):
        return views.turn_page(view, 1 if trigger == ids.NEXT else -1)
    return {**view, "page": 0}


def update_view(fragment, selected, _reset, source, granularity, _prev, _next, view):
    """Every filtering gesture of the page but a click on a chart or a chip lands here and becomes the one view state (and
    the URL); so does a fragment that says something the view does not (a link, back/forward)."""
    trigger = ctx.triggered_id
    if view is None or trigger == ids.FRAGMENT:
        decoded = view_from_hash(fragment.get("hash") if isinstance(fragment, dict) else None)
        if view == decoded:
            return NOTHING
        return {**NOTHING, "view": decoded, "source": decoded["source"], "granularity": decoded["granularity"]}
    new = _next_view(trigger, dict(view), selected, source, granularity)
    if new is None:
        return NOTHING
    return {**NOTHING, "view": new, "hash": url_hash(new)}


# The callbacks, registered whenever this module runs (see ``webapp.views.register_views``).
# A click on a chart or a chip sets the view and the URL in the browser: the drawing is the click's one request.
clientside_callback(
    ClientsideFunction(namespace="logs", function_name="click"),
    Output(ids.VIEW, "data", allow_duplicate=True),
    Output(ids.URL, "hash", allow_duplicate=True),
    [Input(graph, "clickData") for graph in ids.CLICK_DIMENSIONS],
    State(ids.CLIENT, "data"),
    State(ids.VIEW, "data"),
    prevent_initial_call=True,
)
clientside_callback(
    ClientsideFunction(namespace="logs", function_name="chip"),
    Output(ids.VIEW, "data", allow_duplicate=True),
    Output(ids.URL, "hash", allow_duplicate=True),
    Input({"type": ids.CHIP_TYPE, "dim": ALL, "value": ALL}, "n_clicks"),
    State(ids.VIEW, "data"),
    prevent_initial_call=True,
)
clientside_callback(
    ClientsideFunction(namespace="logs", function_name="fragment"),
    Output(ids.FRAGMENT, "data"),
    Input(ids.URL, "hash"),
    State(ids.VIEW, "data"),
)
# The view's source alone, for what depends on nothing else (``prepare.request``, the share note): no request
# for them on a click that keeps the source.
clientside_callback(
    ClientsideFunction(namespace="logs", function_name="viewSource"),
    Output(ids.VIEW_SOURCE, "data"),
    Input(ids.VIEW, "data"),
    State(ids.VIEW_SOURCE, "data"),
    prevent_initial_call=True,
)
callback(
    output={
        "view": Output(ids.VIEW, "data"),
        "hash": Output(ids.URL, "hash"),
        "source": Output(ids.SOURCE, "value"),
        "granularity": Output(ids.GRAN, "value"),
    },
    inputs={
        "fragment": Input(ids.FRAGMENT, "data"),
        "selected": Input(ids.TIMESERIES, "selectedData"),
        "_reset": Input(ids.RESET, "n_clicks"),
        "source": Input(ids.SOURCE, "value"),
        "granularity": Input(ids.GRAN, "value"),
        "_prev": Input(ids.PREV, "n_clicks"),
        "_next": Input(ids.NEXT, "n_clicks"),
        "view": State(ids.VIEW, "data"),
    },
    # The page's first view comes from the fragment callback, which runs as the page loads and hands this one the
    # link's fragment.
    prevent_initial_call=True,
)(update_view)
