"""Live mode: follow a server file as it grows, appending to the views instead of redrawing them."""

from __future__ import annotations

import flask
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback
from dash.exceptions import PreventUpdate

from models.logs import view as views
from models.logs.columnar import StoreError, store_root
from models.logs.follow import Position, stored_follow
from models.logs.parse import LogFormatError
from models.logs.sources import UnknownSourceError, allowed_path
from webapp import ids as shell_ids
from webapp.components import logs_figures as figs
from webapp.views.logs import ids, panels
from webapp.views.logs.render import PANELS, draw, duplicate, window_of


def follow_log(_tick, view, live, theme, zoom=None):
    """Live mode: parse the lines appended to the followed file and append them to the views.

    The time series gets a ``Patch`` (buckets that grew, new buckets, outliers and trend),
    not a new figure; the other views are small and are drawn again.
    """
    position = Position.from_dict(live)
    if not view or position is None or live.get("source") != view["source"]:
        raise PreventUpdate
    config = flask.current_app.config
    try:
        path = allowed_path(view["source"], config["LOG_PATHS"])
        snap = stored_follow(path, store_root(config["DATA_DIR"]), position)
    except (UnknownSourceError, LogFormatError, StoreError, OSError):
        raise PreventUpdate from None
    if snap.position == position:
        raise PreventUpdate
    out = draw(view, snap.events, theme, window_of(zoom))
    first_changed = views.first_changed_bucket(live, out["drawn"], snap.restarted, snap.earliest)
    if first_changed is not None:
        out["timeseries"] = figs.timeseries_patch(
            out["timeseries"], first_changed, live["buckets"], live.get("traces", 3)
        )
    return {
        **{name: out[name] for name in (*ids.GRAPHS, *PANELS)},
        "live": {"source": view["source"], **snap.position.to_dict(), **out["drawn"]},
    }


# The callbacks, registered whenever this module runs (see ``webapp.views.register_views``).
clientside_callback(
    ClientsideFunction(namespace="logs", function_name="liveSwitch"),
    Output(ids.LIVE_SWITCH, "disabled"),
    Output(ids.LIVE_SWITCH, "value"),
    Output(ids.LIVE_HINT, "children"),
    Input(ids.SOURCE, "value"),
    State(ids.CLIENT, "data"),
)
clientside_callback(
    ClientsideFunction(namespace="logs", function_name="tickDisabled"),
    Output(ids.LIVE_TICK, "disabled"),
    Input(ids.LIVE_SWITCH, "value"),
)
callback(
    output=duplicate(
        {
            **{name: Output(graph, "figure") for name, graph in ids.GRAPHS.items()},
            "stats": panels.STAT_OUTPUTS,
            "compare": panels.COMPARE_OUTPUTS,
            "rows": Output(ids.GRID, "rowData"),
            "pager": Output(ids.PAGER, "children"),
            "live": Output(ids.LIVE, "data"),
        }
    ),
    inputs={
        "_tick": Input(ids.LIVE_TICK, "n_intervals"),
        "view": State(ids.VIEW, "data"),
        "live": State(ids.LIVE, "data"),
        "theme": State(shell_ids.THEME_STORE, "data"),
        "zoom": State(ids.ZOOM, "data"),
    },
    prevent_initial_call=True,
)(follow_log)
