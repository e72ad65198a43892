"""Draw every view of the logs page for the current view state."""

from __future__ import annotations

import hashlib
import json

import dash_bootstrap_components as dbc
import flask
from dash import Input, Output, State, callback, no_update

from models.datasets import DatasetError
from models.logs import view as views
from models.logs.aggregate import Events, Filters, dashboard, matching_rows
from models.logs.dataset import CubeNotBuilt, ParquetDatasetError, is_dataset_source, open_dataset
from models.logs.downsample import parse_window
from models.logs.follow import Position
from models.logs.parse import LogFormatError
from models.logs.sources import (
    NotStoredError,
    UnknownSourceError,
    check_may_open,
    is_path_source,
    load_events,
    load_path,
    source_label,
)
from webapp import ids as shell_ids
from webapp import services
from webapp.components import logs_figures as figs
from webapp.components.theme import follow_theme, themed
from webapp.roles import acting_user
from webapp.views.logs import ids, panels
from webapp.views.logs.layout import GRID_COLUMNS

GRID_FIELDS = [column["field"] for column in GRID_COLUMNS]
# What render and the live tick both return, besides the seven figures.
PANELS = ("stats", "compare", "rows", "pager")


def window_of(zoom: dict | None) -> tuple[float, float] | None:
    """The time series' visible x range (epoch ms) a ``ids.ZOOM`` store holds, or None for the overview."""
    window = (zoom or {}).get("window")
    return parse_window(*window) if isinstance(window, list) and len(window) == 2 else None


def draw(view: dict, events: Events, theme: str | None, window: tuple[float, float] | None = None) -> dict:
    """Every view for one state: one aggregation pass, then figure builders.

    ``window``: the time series' visible x range (epoch ms) when the user has zoomed it, so a
    redraw keeps the finer points there.

    Returns:
        One JSON figure per chart name of ``ids.GRAPHS``, ``stats``, ``compare``, ``chips``,
        ``rows`` (grid records), ``pager``, and ``drawn`` (what the time series shows, for live
        updates: ``origin``, ``buckets``, ``traces``, ``patchable``, ``granularity``).
    """
    filters = Filters.from_dict(view["filters"])
    data = dashboard(events, filters, view["granularity"])
    out = {
        name: themed(figure, theme)
        for name, figure in figs.dashboard_figures(data, filters, view["granularity"], window).items()
    }
    # Only a server file can be followed live, and live updates patch points by index: a
    # downsampled or zoomed series is drawn again instead.
    series = data["timeseries"]
    patchable = is_path_source(view["source"]) and window is None and not figs.is_downsampled(series)
    if patchable:
        out["timeseries"] = figs.plain_arrays(out["timeseries"])
    page = int(view.get("page", 0))
    rows = matching_rows(events, filters, page * views.PAGE_SIZE, views.PAGE_SIZE)
    out.update(
        stats=panels.stat_texts(data["stats"], data["previous"]),
        compare=panels.compare_texts(data),
        chips=panels.chips(filters),
        rows=views.grid_records(rows, GRID_FIELDS),
        pager=views.pager_text(page, data["matching"], source_label(view["source"])),
        drawn={
            "origin": int(series["time"].iloc[0].timestamp()) if len(series) else None,
            "buckets": len(series),
            "traces": len(out["timeseries"]["data"]),
            "patchable": patchable,
            "granularity": view["granularity"],
            "empty": not int(series["events"].sum()),
        },
    )
    return out


# The filter each chart selects with (its own filter does not change its counts, only which bars are
# highlighted): a click on it changes that chart's colours only. The product bars keep the selected products
# among the top 10, so their counts follow their own filter too.
OWN_FILTER = {"daily": "days", "hourly": "hours", "categories": "categories", "status": "statuses"}


def _digest(value) -> str:
    return hashlib.sha1(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def drawn_from(view: dict, theme: str | None, live: dict | None, zoom: dict | None) -> dict[str, list[str]]:
    """Per chart: ``[counts, selection]``, digests of what its figure is drawn from (the source and where
    reading it stopped, the granularity, the filters, the theme, the zoomed window), the chart's own
    selection apart. The same ``counts`` draw the same bars; the same both, the same figure."""
    filters = dict(view["filters"])
    common = [view["source"], view["granularity"], theme, (live or {}).get("offset"), (zoom or {}).get("window")]
    out = {}
    for name in ids.GRAPHS:
        own = OWN_FILTER.get(name)
        others = {key: value for key, value in filters.items() if key != own}
        out[name] = [_digest([name, *common, others]), _digest(filters.get(own) if own else None)]
    return out


def unchanged_charts(out: dict, shown: dict | None, now: dict[str, list[str]]) -> dict:
    """``out``'s figures against what the browser shows (``shown``, from ``drawn_from``): ``no_update`` for
    a chart drawn from the same, a ``Patch`` of the colours for one whose selection alone changed."""
    shown = shown if isinstance(shown, dict) else {}
    for name in ids.GRAPHS:
        was = shown.get(name)
        if was == now[name]:
            out[name] = no_update
        elif name in OWN_FILTER and isinstance(was, list) and was[:1] == now[name][:1] and out[name]["data"]:
            out[name] = figs.selection_patch(out[name])
    return out


def load(view: dict, live: dict | None):
    """The events of the view's source and, for a server file, where reading it stopped.

    A server file is read up to the position the browser holds for it, so every click sees
    the same events as the live updates drew. Sources are opened from their store, never
    parsed here: one that is not stored yet raises ``NotStoredError`` (see ``prepare``).
    """
    config = flask.current_app.config
    source = view["source"]
    if is_dataset_source(source):  # its cube, built on Dask (webapp.views.logs.prepare); rows read on demand
        return open_dataset(source, config["LOG_DATASETS"], config["DATA_DIR"]), None
    if is_path_source(source):
        position = Position.from_dict(live) if live and live.get("source") == source else None
        snap = load_path(source, config["LOG_PATHS"], position, data_dir=config["DATA_DIR"], parse=False)
        return snap.events, {"source": source, **snap.position.to_dict()}
    check_may_open(source, acting_user(), services.owners())  # another user's private upload (crafted URL or id)
    return load_events(source, config["DATA_DIR"], config.get("DATA_MIRROR"), parse=False), None


OUTPUTS = {
    **{name: Output(graph, "figure") for name, graph in ids.GRAPHS.items()},
    "stats": panels.STAT_OUTPUTS,  # texts only: the cards and the table stand in the layout
    "compare": panels.COMPARE_OUTPUTS,
    "chips": Output(ids.CHIPS, "children"),
    "rows": Output(ids.GRID, "rowData"),
    "pager": Output(ids.PAGER, "children"),
    "error": Output(ids.ERROR, "children"),
    "live": Output(ids.LIVE, "data"),
    "drawn": Output(ids.DRAWN, "data"),
}


def duplicate(outputs: dict) -> dict:
    """``outputs`` (names to an ``Output`` or a list of them) with ``allow_duplicate``, for a second callback."""

    def again(output: Output) -> Output:
        return Output(output.component_id, output.component_property, allow_duplicate=True)

    return {
        name: [again(o) for o in output] if isinstance(output, list) else again(output)
        for name, output in outputs.items()
    }


def nothing(outputs: dict = OUTPUTS) -> dict:
    """``no_update`` for every output (a list of them for a group)."""
    return {
        name: [no_update] * len(output) if isinstance(output, list) else no_update for name, output in outputs.items()
    }


def render(view, theme, live, _prepared=None, zoom=None, drawn=None):
    """Draw every view for the current state; a source that cannot be read says why and draws nothing;
    one that is not stored yet draws nothing until the background job has parsed it (``prepare``).

    ``drawn``: what the charts the browser shows were drawn from (``ids.DRAWN``): a chart drawn from the
    same is left alone, one whose own selection alone changed gets its colours (``unchanged_charts``)."""
    if not view:  # nothing chosen yet
        return nothing()
    try:
        events, position = load(view, live)
    except (NotStoredError, CubeNotBuilt):  # the prepare job parses it, or builds its cube on Dask
        return {**nothing(), "error": None}
    except (UnknownSourceError, DatasetError, ParquetDatasetError, LogFormatError) as exc:
        return {
            **nothing(),
            "error": dbc.Alert(str(exc), color="danger", id=ids.SOURCE_ERROR),
        }
    out = draw(view, events, theme, window_of(zoom))
    now = drawn_from(view, theme, position, zoom)
    out = unchanged_charts(out, None if _prepared else drawn, now)  # a source just stored: draw it all
    return {
        **{name: out[name] for name in OUTPUTS if name in out and name != "drawn"},
        "error": None,
        "live": {**position, **out["drawn"]} if position else None,
        "drawn": now,
    }


# The callbacks, registered whenever this module runs (see ``webapp.views.register_views``).
# Two triggers, one drawing: a new view state (a click, a drag, the URL...), and a source stored by the
# prepare job. Not one callback with both as inputs: Dash holds a callback while another that outputs
# one of its inputs is pending, and ``prepare.request`` (view → PREPARED, no_update for a stored
# source) answers every view change, so each click waited a round trip for it before drawing.
callback(
    output=OUTPUTS,
    inputs={
        "view": Input(ids.VIEW, "data"),
        "theme": State(shell_ids.THEME_STORE, "data"),
        "live": State(ids.LIVE, "data"),
        "zoom": State(ids.ZOOM, "data"),
        "drawn": State(ids.DRAWN, "data"),
    },
    prevent_initial_call=True,
)(render)
callback(
    output=duplicate(OUTPUTS),
    inputs={
        "_prepared": Input(ids.PREPARED, "data"),
        "view": State(ids.VIEW, "data"),
        "theme": State(shell_ids.THEME_STORE, "data"),
        "live": State(ids.LIVE, "data"),
        "zoom": State(ids.ZOOM, "data"),
        "drawn": State(ids.DRAWN, "data"),
    },
    prevent_initial_call=True,
)(render)
follow_theme(*ids.GRAPHS.values())
