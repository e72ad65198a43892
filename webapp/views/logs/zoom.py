"""Zooming the time series: the finer points of the visible range, and back to the overview on autoscale.

A long series is drawn with a bounded number of points (``models.logs.downsample``); a zoom
(Plotly's ``relayoutData``) swaps the two lines' points for those of the visible range with a
``Patch``. Nothing is parsed again and no other view is redrawn. A box selection is not a zoom:
it filters, through ``view_state``.
"""

from __future__ import annotations

from dash import Input, Output, State, callback, no_update

from models.datasets import DatasetError
from models.logs import view as views
from models.logs.aggregate import Filters, shown_timeseries
from models.logs.dataset import CubeNotBuilt, ParquetDatasetError
from models.logs.parse import LogFormatError
from models.logs.sources import NotStoredError, UnknownSourceError
from webapp.components import logs_figures as figs
from webapp.views.logs import ids
from webapp.views.logs.render import load

NOTHING = {"figure": no_update, "zoom": no_update}


def zoom(relayout, view, live, zoomed):
    """The points of the range the user zoomed to (or the overview after an autoscale)."""
    asked = views.zoom_from_relayout(relayout)
    if asked is None or not view:
        return NOTHING
    window = None if asked == views.OVERVIEW else asked
    stored = {"window": list(window)} if window else None
    if stored == zoomed:
        return NOTHING
    try:
        events, _ = load(view, live)
    except (UnknownSourceError, DatasetError, LogFormatError, NotStoredError, CubeNotBuilt, ParquetDatasetError):
        return NOTHING  # render says why the source cannot be read, or draws it once it is stored
    series = shown_timeseries(events, Filters.from_dict(view["filters"]), view["granularity"])
    if not len(series) or not series["events"].sum() or not figs.is_downsampled(series):
        return {"figure": no_update, "zoom": stored}  # every point is drawn already (or none)
    return {"figure": figs.timeseries_zoom_patch(series, window), "zoom": stored}


# The callbacks, registered whenever this module runs (see ``webapp.views.register_views``).
callback(
    output={
        "figure": Output(ids.TIMESERIES, "figure", allow_duplicate=True),
        "zoom": Output(ids.ZOOM, "data"),
    },
    inputs={
        "relayout": Input(ids.TIMESERIES, "relayoutData"),
        "view": State(ids.VIEW, "data"),
        "live": State(ids.LIVE, "data"),
        "zoomed": State(ids.ZOOM, "data"),
    },
    prevent_initial_call=True,
)(zoom)
