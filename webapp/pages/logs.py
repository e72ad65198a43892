"""Logs: access logs as a cross-filtered dashboard; every click filters every other view."""

from __future__ import annotations

import base64
import binascii

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import flask
import pandas as pd
from dash import ALL, Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update, set_props
from dash.exceptions import PreventUpdate

from models.datasets import DatasetError
from models.logs.aggregate import GRANULARITY_S, NONE_LABEL, Events, Filters, dashboard, matching_rows
from models.logs.follow import Position, follow
from models.logs.parse import LogFormatError, parse_bytes
from models.logs.sources import (
    BUILTIN,
    UnknownSourceError,
    allowed_path,
    is_path_source,
    load_events,
    load_path,
    path_source_id,
    save_upload,
    server_paths,
    source_label,
)
from models.logs.uploads import UploadError, receive_chunk, take_upload
from webapp import ids
from webapp.components import logs_figures as figs
from webapp.components.theme import follow_theme, themed
from webapp.components.viewstate import decode_hash, encode_hash

dash.register_page(__name__, path="/logs", name="Logs", order=1, title="Logs · Glassbox")

P = "logs-"
URL, VIEW, CLICK, UPLOAD, UPLOAD_MSG, SOURCE, GRAN, RESET = (
    P + n for n in ("url", "view", "click", "upload", "upload-msg", "source", "granularity", "reset")
)
TIMESERIES, DAILY, HOURLY, PRODUCTS, CATEGORIES, STATUS, HEATMAP = (
    P + n for n in ("timeseries", "daily", "hourly", "products", "categories", "status", "heatmap")
)
STATS, COMPARE, CHIPS, GRID, PAGER, PREV, NEXT, ERROR = (
    P + n for n in ("stats", "compare", "chips", "events", "pager", "prev", "next", "error")
)
LIVE, LIVE_SWITCH, LIVE_TICK = (P + n for n in ("live", "live-switch", "live-tick"))
LIVE_INTERVAL_MS = 3000
UPLOAD_START, UPLOAD_CHUNK, UPLOAD_ACK, UPLOAD_PROGRESS = (
    P + n for n in ("upload-start", "upload-chunk", "upload-ack", "upload-progress")
)
UPLOAD_CHUNK_BYTES = 4 << 20  # one callback request per chunk: 5.3 MiB of base64
GRAPHS = (TIMESERIES, DAILY, HOURLY, PRODUCTS, CATEGORIES, STATUS, HEATMAP)
CLICK_DIMENSIONS = {DAILY: "days", HOURLY: "hours", PRODUCTS: "products", CATEGORIES: "categories", STATUS: "statuses"}
LIST_KEYS = {"days", "hours", "products", "categories", "statuses"}
PAGE_SIZE = 100
DEFAULT_VIEW = {"source": "sample", "granularity": "hour", "page": 0, "filters": Filters().to_dict()}
CHIP_NAMES = {"days": "day", "hours": "hour", "products": "product", "categories": "category", "statuses": "status"}

GRID_COLUMNS = [
    {"field": "ts", "headerName": "time (UTC)", "minWidth": 170},
    {"field": "ip", "minWidth": 120},
    {"field": "method", "maxWidth": 90},
    {"field": "path", "minWidth": 160},
    {"field": "query", "minWidth": 200},
    {"field": "status", "maxWidth": 90},
    {"field": "bytes", "maxWidth": 100},
    {"field": "product"},
    {"field": "category"},
    {"field": "agent_class", "headerName": "agent", "maxWidth": 100},
    {"field": "source"},
    {"field": "line", "maxWidth": 90},
]


def _graph(graph_id: str, md: int) -> dbc.Col:
    # Box and lasso selection only mean something on the time series; elsewhere a click filters.
    remove = [] if graph_id == TIMESERIES else ["select2d", "lasso2d", "autoScale2d"]
    return dbc.Col(
        dcc.Graph(id=graph_id, figure={}, config={"displaylogo": False, "modeBarButtonsToRemove": remove}), md=md
    )


def _chunk_bytes() -> int:
    """Upload chunk size: never more than the upload limit, so a chunk's request stays under the body limit."""
    limit = flask.current_app.config["MAX_UPLOAD_BYTES"] if flask.has_app_context() else UPLOAD_CHUNK_BYTES
    return min(UPLOAD_CHUNK_BYTES, limit)


def _source_options() -> list[dict]:
    """The built-in sources and the server files the configuration allows."""
    options = [{"label": label, "value": value} for value, label in BUILTIN.items()]
    if flask.has_app_context():
        for path in server_paths(flask.current_app.config.get("LOG_PATHS", ())):
            options.append({"label": f"Server: {path}", "value": path_source_id(path)})
    return options


def layout(**_query):
    options = _source_options()
    controls = dbc.Row(
        [
            dbc.Col(dcc.Dropdown(id=SOURCE, options=options, value="sample", clearable=False), md=3),
            dbc.Col(
                [
                    # dcc.Upload is the drop zone and file dialog only: assets/glassbox.js takes the
                    # chosen or dropped file before it does, and sends it in chunks, each one
                    # acknowledged by the server, so the bar below shows what has arrived.
                    html.Div(
                        dcc.Upload(
                            id=UPLOAD,
                            children=html.Div(["Drop an access log here or ", html.A("choose a file", href="#")]),
                            className="border border-secondary-subtle rounded text-center py-2",
                            multiple=False,
                        ),
                        **{"data-upload-store": UPLOAD_START, "data-chunk-bytes": str(_chunk_bytes())},
                    ),
                    dbc.Progress(
                        id=UPLOAD_PROGRESS, value=0, label="", class_name="mt-1 d-none", style={"height": "1.1rem"}
                    ),
                ],
                md=4,
            ),
            dbc.Col(
                [
                    dbc.RadioItems(
                        id=GRAN,
                        options=[{"label": g, "value": g} for g in GRANULARITY_S],
                        value="hour",
                        inline=True,
                    ),
                    dbc.Switch(
                        id=LIVE_SWITCH,
                        label="Live",
                        value=False,
                        disabled=True,
                        class_name="ms-2 mb-0",
                        label_class_name="small",
                    ),
                ],
                md=3,
                class_name="d-flex align-items-center",
            ),
            dbc.Col(
                dbc.Button("Reset filters", id=RESET, color="secondary", outline=True), md=2, class_name="text-end"
            ),
        ],
        class_name="g-2 mb-2",
    )
    return html.Div(
        [
            dcc.Location(id=URL, refresh=False),
            dcc.Store(id=VIEW),
            dcc.Store(id=CLICK),
            dcc.Store(id=LIVE),
            dcc.Store(id=UPLOAD_START),
            dcc.Store(id=UPLOAD_CHUNK),
            dcc.Store(id=UPLOAD_ACK),
            dcc.Interval(id=LIVE_TICK, interval=LIVE_INTERVAL_MS, disabled=True),
            html.H1("Logs", id="logs-title", className="h3"),
            controls,
            dcc.Loading(html.Div(id=UPLOAD_MSG), type="dot"),
            html.Div(id=ERROR),
            html.Div(id=CHIPS, className="mb-2"),
            dbc.Row(id=STATS, class_name="g-2 mb-2"),
            dbc.Row([_graph(TIMESERIES, 12)]),
            dbc.Row([_graph(DAILY, 6), _graph(HOURLY, 6)]),
            dbc.Row([_graph(PRODUCTS, 4), _graph(CATEGORIES, 4), _graph(STATUS, 4)]),
            dbc.Row([_graph(HEATMAP, 8), dbc.Col(html.Div(id=COMPARE), md=4)]),
            html.H2("Matching events", className="h5 mt-3"),
            dag.AgGrid(
                id=GRID,
                columnDefs=GRID_COLUMNS,
                rowData=[],
                defaultColDef={"resizable": True, "sortable": False},
                columnSize="responsiveSizeToFit",
                style={"height": "420px"},
            ),
            html.Div(
                [
                    dbc.Button("‹ Newer", id=PREV, size="sm", color="secondary", outline=True, class_name="me-2"),
                    dbc.Button("Older ›", id=NEXT, size="sm", color="secondary", outline=True, class_name="me-3"),
                    html.Span(id=PAGER),
                ],
                className="mt-2",
            ),
        ]
    )


def _view_from_hash(fragment: str | None) -> dict:
    state = decode_hash(fragment, LIST_KEYS)
    view = dict(DEFAULT_VIEW)
    if state.get("source"):
        view["source"] = state["source"]
    if state.get("granularity") in GRANULARITY_S:
        view["granularity"] = state["granularity"]
    try:
        view["page"] = max(0, int(state.get("page", 0)))
        view["filters"] = Filters.from_dict(state).to_dict()
    except (TypeError, ValueError):
        view["filters"] = Filters().to_dict()
    return view


def _hash(view: dict) -> str:
    return encode_hash(
        {"source": view["source"], "granularity": view["granularity"], "page": view["page"] or None, **view["filters"]}
    )


def _range_from_selection(selected: dict | None) -> tuple[int | None, int | None]:
    if not selected or "range" not in selected or "x" not in selected["range"]:
        return None, None
    start, end = sorted(
        pd.Timestamp(v, tz="UTC") if pd.Timestamp(v).tzinfo is None else pd.Timestamp(v) for v in selected["range"]["x"]
    )
    return int(start.timestamp()), int(end.timestamp())


def _click_value(dimension: str, value):
    return int(float(value)) if dimension in ("hours", "statuses") else str(value)


clientside_callback(
    """
    function () {
        const trig = window.dash_clientside.callback_context.triggered;
        if (!trig.length || !trig[0].value || !trig[0].value.points) { return window.dash_clientside.no_update; }
        const id = trig[0].prop_id.split(".")[0];
        const point = trig[0].value.points[0];
        const dims = DIMS;
        let value = point.x;
        if (id === "logs-status") { value = point.label; }
        if (id === "logs-products" || id === "logs-categories") { value = point.y; }
        return {dim: dims[id], value: value, additive: !!(window.glassbox && window.glassbox.additive), t: Date.now()};
    }
    """.replace("DIMS", str(CLICK_DIMENSIONS).replace("'", '"')),
    Output(CLICK, "data"),
    [Input(graph, "clickData") for graph in CLICK_DIMENSIONS],
    prevent_initial_call=True,
)


@callback(
    Output(VIEW, "data"),
    Output(URL, "hash"),
    Output(SOURCE, "value"),
    Output(GRAN, "value"),
    Input(URL, "hash"),
    Input(CLICK, "data"),
    Input(TIMESERIES, "selectedData"),
    Input(RESET, "n_clicks"),
    Input({"type": "logs-chip", "dim": ALL, "value": ALL}, "n_clicks"),
    Input(SOURCE, "value"),
    Input(GRAN, "value"),
    Input(PREV, "n_clicks"),
    Input(NEXT, "n_clicks"),
    State(VIEW, "data"),
)
def update_view(fragment, click, selected, _reset, chip_clicks, source, granularity, _prev, _next, view):
    """Every filtering gesture of the page lands here and becomes the one view state (and the URL)."""
    trigger = ctx.triggered_id
    if view is None or trigger == URL:
        decoded = _view_from_hash(fragment)
        if view == decoded:
            return no_update, no_update, no_update, no_update
        return decoded, no_update, decoded["source"], decoded["granularity"]
    view = dict(view)
    filters = Filters.from_dict(view["filters"])
    if trigger == CLICK and click:
        dimension = click["dim"]
        filters = filters.toggle(
            dimension, _click_value(dimension, click["value"]), additive=bool(click.get("additive"))
        )
    elif trigger == TIMESERIES:
        start, end = _range_from_selection(selected)
        if start is None:
            # Plotly drops its selection box when the figure is redrawn; the range stays until
            # the user removes its chip or resets.
            return no_update, no_update, no_update, no_update
        filters = Filters.from_dict({**filters.to_dict(), "start": start, "end": end})
    elif trigger == RESET:
        filters = Filters()
    elif isinstance(trigger, dict) and trigger.get("type") == "logs-chip":
        if not any(chip_clicks):
            return no_update, no_update, no_update, no_update
        dimension, value = trigger["dim"], trigger["value"]
        if dimension == "range":
            filters = Filters.from_dict({**filters.to_dict(), "start": None, "end": None})
        else:
            filters = filters.toggle(dimension, _click_value(dimension, value))
    elif trigger == SOURCE:
        if source == view["source"]:
            return no_update, no_update, no_update, no_update
        view["source"], filters = source, Filters()
    elif trigger == GRAN:
        view["granularity"] = granularity
    elif trigger in (PREV, NEXT):
        view["page"] = max(0, view.get("page", 0) + (1 if trigger == NEXT else -1))
        return view, _hash(view), no_update, no_update
    view["filters"] = filters.to_dict()
    view["page"] = 0
    return view, _hash(view), no_update, no_update


clientside_callback(
    """
    async function (start, ack) {
        // Read the next chunk of the chosen file and say how much the server has acknowledged.
        const dc = window.dash_clientside, trig = dc.callback_context.triggered_id;
        const state = trig === "START" ? start : ack;
        if (!state || !state.id) { return [dc.no_update, dc.no_update, dc.no_update, dc.no_update]; }
        const pending = window.glassbox.uploads || {};
        const file = pending[state.id];
        const mib = (n) => (n / 1048576).toFixed(1);
        if (state.error || state.done || !file) {
            delete pending[state.id];
            const shown = state.done ? "mt-1" : "mt-1 d-none";
            return [dc.no_update, state.done ? 100 : 0, state.done ? "uploaded, parsed" : "", shown];
        }
        if (trig === "START") {  // first the header alone: the server checks the size before any byte is sent
            return [{id: state.id, name: file.name, total: file.size, offset: 0, data: ""}, 0,
                    `${file.name}: starting`, "mt-1"];
        }
        const offset = state.received;
        const size = parseInt(state.chunk || "4194304", 10);
        const url = await new Promise((resolve, reject) => {
            const reader = new FileReader();
            reader.onload = () => resolve(reader.result);
            reader.onerror = () => reject(reader.error);
            reader.readAsDataURL(file.slice(offset, offset + size));
        });
        const data = url.slice(url.indexOf(",") + 1);
        const end = Math.min(offset + size, file.size);
        const percent = file.size ? Math.floor(100 * offset / file.size) : 0;
        const label = end >= file.size
            ? `${file.name}: last ${mib(end - offset)} MiB, then parsing…`
            : `${file.name}: ${mib(offset)} of ${mib(file.size)} MiB`;
        return [{id: state.id, name: file.name, total: file.size, offset: offset, data: data},
                percent, label, "mt-1"];
    }
    """.replace("START", UPLOAD_START),
    Output(UPLOAD_CHUNK, "data"),
    Output(UPLOAD_PROGRESS, "value"),
    Output(UPLOAD_PROGRESS, "label"),
    Output(UPLOAD_PROGRESS, "class_name"),
    Input(UPLOAD_START, "data"),
    Input(UPLOAD_ACK, "data"),
    prevent_initial_call=True,
)


@callback(
    Output(VIEW, "data", allow_duplicate=True),
    Output(URL, "hash", allow_duplicate=True),
    Output(SOURCE, "options"),
    Output(SOURCE, "value", allow_duplicate=True),
    Output(UPLOAD_MSG, "children"),
    Input(UPLOAD_CHUNK, "data"),
    State(VIEW, "data"),
    State(SOURCE, "options"),
    prevent_initial_call=True,
)
def upload_chunk(chunk, view, options):
    """Store one chunk of an upload; after the last one, parse the whole file.

    The acknowledgement (bytes received) makes the browser send the next chunk and move the
    progress bar; on any problem the message says why and the current data stays loaded. It is
    set with ``set_props``: as an output it would close a loop of callbacks (chunk → ack →
    chunk), which Dash refuses to run.
    """
    config = flask.current_app.config
    name = str(chunk.get("name") or "upload")
    upload_id = str(chunk.get("id", ""))

    def fail(message):
        set_props(UPLOAD_ACK, {"data": {"id": upload_id, "error": True}})
        return (
            no_update,
            no_update,
            no_update,
            no_update,
            dbc.Alert(message, color="danger", dismissable=True, id="logs-upload-error"),
        )

    try:
        total, offset = int(chunk["total"]), int(chunk["offset"])
        data = base64.b64decode(chunk.get("data") or "", validate=True)
        received = receive_chunk(config["DATA_DIR"], upload_id, offset, data, total, config["MAX_UPLOAD_BYTES"])
        if received < total:
            set_props(
                UPLOAD_ACK,
                {"data": {"id": upload_id, "received": received, "total": total, "chunk": str(_chunk_bytes())}},
            )
            return no_update, no_update, no_update, no_update, no_update
        content = take_upload(config["DATA_DIR"], upload_id)
    except UploadError as exc:
        return fail(f"{name}: {exc}")
    except (KeyError, TypeError, ValueError, binascii.Error):
        return fail(f"{name}: the upload could not be read.")
    set_props(UPLOAD_ACK, {"data": {"id": upload_id, "received": received, "total": total, "done": True}})
    return _accept_upload(content, name, view, options)


def _accept_upload(content: bytes, filename: str, view: dict | None, options: list) -> tuple:
    """Parse a whole uploaded log: (view, hash, source options, source, message)."""
    config = flask.current_app.config

    def fail(message):
        return (
            no_update,
            no_update,
            no_update,
            no_update,
            dbc.Alert(message, color="danger", dismissable=True, id="logs-upload-error"),
        )

    try:
        result = parse_bytes(content, name=filename or "upload")
    except LogFormatError as exc:
        return fail(f"{exc} The previous data is still loaded.")
    if result.parsed == 0:
        examples = "; ".join(f"line {r.line}: {r.text[:80]!r}" for r in result.rejected_lines[:3])
        return fail(
            f"{filename}: none of its {result.lines} lines is an access-log line ({examples}). The previous data is still loaded."
        )
    source_id = save_upload(result, content, config["DATA_DIR"])
    view = {**(view or DEFAULT_VIEW), "source": source_id, "filters": Filters().to_dict(), "page": 0}
    options = [o for o in options if o["value"] != source_id] + [{"label": f"Upload: {filename}", "value": source_id}]
    notes = [html.Strong(f"{filename}: "), f"{result.parsed:,} events parsed from {result.lines:,} lines."]
    color = "success"
    if not result.table["product"].null_count < result.parsed:
        notes.append(" No product ids were found in its URLs, so the product view is empty.")
        color = "warning"
    if result.rejected:
        color = "warning"
        notes.append(f" {result.rejected:,} lines were not access-log lines and were skipped, e.g. ")
        notes.append(html.Ul([html.Li(f"line {r.line}: {r.text[:160]}") for r in result.rejected_lines[:5]]))
    return view, _hash(view), options, source_id, dbc.Alert(notes, color=color, dismissable=True, id="logs-upload-ok")


def _stat_card(title: str, value: str, previous: str, card_id: str) -> dbc.Col:
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    html.Div(title, className="text-body-secondary small"),
                    html.Div(value, className="h4 mb-0", id=card_id),
                    html.Div(previous, className="small text-body-secondary"),
                ]
            )
        ),
        md=3,
    )


def _delta(now: float, before: float | None) -> str:
    if before is None:
        return ""
    if before == 0:
        return "no events in the previous period" if now else "—"
    return f"{(now - before) / before:+.1%} vs previous period"


def _chips(filters: Filters) -> list:
    chips = []
    if filters.start is not None or filters.end is not None:
        start = pd.Timestamp(filters.start or 0, unit="s").strftime("%Y-%m-%d %H:%M")
        end = pd.Timestamp(filters.end or 0, unit="s").strftime("%Y-%m-%d %H:%M")
        chips.append(("range", "", f"{start} → {end}"))
    for dimension, name in CHIP_NAMES.items():
        for value in getattr(filters, dimension):
            chips.append((dimension, str(value), f"{name}: {value}"))
    return [
        dbc.Button(
            [text, " ×"],
            id={"type": "logs-chip", "dim": dim, "value": value},
            size="sm",
            color="primary",
            class_name="me-1 mb-1 rounded-pill",
        )
        for dim, value, text in chips
    ]


def _with_ids(frame: pd.DataFrame) -> pd.DataFrame:
    """Requests without a product or category (static files, search...) would dwarf the bars."""
    return frame[frame["label"] != NONE_LABEL]


def _compare_card(data: dict) -> dbc.Card:
    """The selected range against the period of equal length before it; "—" where there is none."""
    now, before = data["stats"], data["previous"]
    start, end = (pd.Timestamp(v, unit="s").strftime("%Y-%m-%d %H:%M") for v in data["range"])
    length = data["range"][1] - data["range"][0]

    def was(text):
        return text if before is not None else "—"

    rows = [
        ("events", f"{now['events']:,}", was(before and f"{before['events']:,}")),
        ("errors", f"{now['errors']:,}", was(before and f"{before['errors']:,}")),
        ("5xx", f"{now['server_errors']:,}", was(before and f"{before['server_errors']:,}")),
        ("MiB", f"{now['bytes'] / 2**20:,.1f}", was(before and f"{before['bytes'] / 2**20:,.1f}")),
    ]
    if before is None:
        note = "Drag across the time series to compare an interval with the period of equal length before it."
    else:
        note = f"{start} → {end} against the {pd.Timedelta(seconds=length)} before it."
    return dbc.Card(
        dbc.CardBody(
            [
                html.H3("Period comparison", className="h6"),
                html.P(note, className="small", id="logs-compare-note"),
                dbc.Table(
                    [
                        html.Thead(html.Tr([html.Th(""), html.Th("selected"), html.Th("previous")])),
                        html.Tbody(
                            [
                                html.Tr([html.Td(name), html.Td(value), html.Td(previous)])
                                for name, value, previous in rows
                            ]
                        ),
                    ],
                    size="sm",
                    id="logs-compare-table",
                ),
            ]
        )
    )


def _draw(view: dict, events: Events, theme: str | None) -> dict:
    """Every view for one state: one aggregation pass, then figure builders.

    Returns:
        ``figures`` (one JSON figure per graph of ``GRAPHS``), ``stats``, ``compare``,
        ``chips``, ``rows`` (grid records), ``pager``, and ``drawn`` (what the time series
        shows, for live updates: ``origin``, ``buckets``, ``traces``).
    """
    filters = Filters.from_dict(view["filters"])
    data = dashboard(events, filters, view["granularity"])
    selected_range = data["range"] if filters.start is not None or filters.end is not None else None
    figures = [
        figs.timeseries_figure(data["timeseries"], data["trend"], selected_range, view["granularity"]),
        figs.bars_figure(data["daily"], "day", "Events per day — click to filter (shift/ctrl: several)", filters.days),
        figs.bars_figure(data["hourly"], "hour", "Events by hour of day (UTC)", [str(h) for h in filters.hours]),
        figs.bars_figure(
            _with_ids(data["products"]), "label", "Events by product (top 10)", filters.products, horizontal=True
        ),
        figs.bars_figure(
            _with_ids(data["categories"]), "label", "Events by category", filters.categories, horizontal=True
        ),
        figs.status_figure(data["statuses"], [str(s) for s in filters.statuses]),
        figs.heatmap_figure(data["heatmap"]),
    ]
    figures = [themed(f, theme) for f in figures]
    patchable = is_path_source(view["source"])  # only a server file can be followed live
    if patchable:
        figures[0] = figs.plain_arrays(figures[0])
    now, before = data["stats"], data["previous"] or {}
    stats = [
        _stat_card("Events", f"{now['events']:,}", _delta(now["events"], before.get("events")), "logs-stat-events"),
        _stat_card(
            "Error rate (4xx+5xx)",
            f"{now['error_rate']:.1%}",
            f"was {before['error_rate']:.1%}" if before else "",
            "logs-stat-errors",
        ),
        _stat_card(
            "Server errors (5xx)",
            f"{now['server_error_rate']:.1%}",
            f"was {before['server_error_rate']:.1%}" if before else "",
            "logs-stat-5xx",
        ),
        _stat_card(
            "Bytes sent",
            f"{now['bytes'] / 2**20:,.1f} MiB",
            _delta(now["bytes"], before.get("bytes")),
            "logs-stat-bytes",
        ),
    ]
    page = int(view.get("page", 0))
    rows = matching_rows(events, filters, page * PAGE_SIZE, PAGE_SIZE).to_pandas()
    rows["ts"] = rows["ts"].dt.strftime("%Y-%m-%d %H:%M:%S")
    rows = rows[[c["field"] for c in GRID_COLUMNS]].astype(object).where(rows.notna(), None)
    total = data["matching"]
    pager = f"events {page * PAGE_SIZE + 1 if total else 0:,}–{min((page + 1) * PAGE_SIZE, total):,} of {total:,} matching · {source_label(view['source'])}"
    series = data["timeseries"]
    drawn = {
        "origin": int(series["time"].iloc[0].timestamp()) if len(series) else None,
        "buckets": len(series),
        "traces": len(figures[0]["data"]),
        "patchable": patchable,
        "granularity": view["granularity"],
    }
    return {
        "figures": figures,
        "stats": stats,
        "compare": _compare_card(data),
        "chips": _chips(filters),
        "rows": rows.to_dict("records"),
        "pager": pager,
        "drawn": drawn,
    }


def _load(view: dict, live: dict | None):
    """The events of the view's source and, for a server file, where reading it stopped.

    A server file is read up to the position the browser holds for it, so every click sees
    the same events as the live updates drew.
    """
    config = flask.current_app.config
    source = view["source"]
    if is_path_source(source):
        position = Position.from_dict(live) if live and live.get("source") == source else None
        snap = load_path(source, config["LOG_PATHS"], position)
        return snap.events, {"source": source, **snap.position.to_dict()}
    return load_events(source, config["DATA_DIR"], config.get("DATA_MIRROR")), None


@callback(
    [Output(graph, "figure") for graph in GRAPHS],
    Output(STATS, "children"),
    Output(COMPARE, "children"),
    Output(CHIPS, "children"),
    Output(GRID, "rowData"),
    Output(PAGER, "children"),
    Output(ERROR, "children"),
    Output(LIVE, "data"),
    Input(VIEW, "data"),
    State(ids.THEME_STORE, "data"),
    State(LIVE, "data"),
    prevent_initial_call=True,
)
def render(view, theme, live):
    """Draw every view for the current state."""
    try:
        events, position = _load(view, live)
    except (UnknownSourceError, DatasetError, LogFormatError) as exc:
        return (
            *[no_update] * (len(GRAPHS) + 5),
            dbc.Alert(str(exc), color="danger", id="logs-source-error"),
            no_update,
        )
    out = _draw(view, events, theme)
    live = {**position, **out["drawn"]} if position else None
    return (*out["figures"], out["stats"], out["compare"], out["chips"], out["rows"], out["pager"], None, live)


clientside_callback(
    """
    function (source) {
        const followable = typeof source === "string" && source.startsWith("path:");
        return [!followable, followable ? window.dash_clientside.no_update : false];
    }
    """,
    Output(LIVE_SWITCH, "disabled"),
    Output(LIVE_SWITCH, "value"),
    Input(SOURCE, "value"),
)
clientside_callback("function (on) { return !on; }", Output(LIVE_TICK, "disabled"), Input(LIVE_SWITCH, "value"))


@callback(
    [Output(graph, "figure", allow_duplicate=True) for graph in GRAPHS],
    Output(STATS, "children", allow_duplicate=True),
    Output(COMPARE, "children", allow_duplicate=True),
    Output(GRID, "rowData", allow_duplicate=True),
    Output(PAGER, "children", allow_duplicate=True),
    Output(LIVE, "data", allow_duplicate=True),
    Input(LIVE_TICK, "n_intervals"),
    State(VIEW, "data"),
    State(LIVE, "data"),
    State(ids.THEME_STORE, "data"),
    prevent_initial_call=True,
)
def follow_log(_tick, view, live, theme):
    """Live mode: parse the lines appended to the followed file and append them to the views.

    The time series gets a ``Patch`` (buckets that grew, new buckets, outliers and trend),
    not a new figure; the other views are small and are drawn again.
    """
    position = Position.from_dict(live)
    if not view or position is None or live.get("source") != view["source"]:
        raise PreventUpdate
    try:
        snap = follow(allowed_path(view["source"], flask.current_app.config["LOG_PATHS"]), position)
    except (UnknownSourceError, LogFormatError, OSError):
        raise PreventUpdate from None
    if snap.position == position:
        raise PreventUpdate
    out = _draw(view, snap.events, theme)
    drawn, before = out["drawn"], live
    timeseries = out["figures"][0]
    same_axis = (
        not snap.restarted
        and before.get("patchable")
        and before.get("origin") == drawn["origin"]
        and before.get("granularity") == drawn["granularity"]
        and drawn["buckets"] >= before.get("buckets", 0) > 0
    )
    if same_axis and snap.earliest is not None:
        width = GRANULARITY_S[view["granularity"]]
        first_changed = max(0, (snap.earliest - drawn["origin"]) // width)
        timeseries = figs.timeseries_patch(timeseries, int(first_changed), before["buckets"], before.get("traces", 3))
    live = {"source": view["source"], **snap.position.to_dict(), **drawn}
    return (timeseries, *out["figures"][1:], out["stats"], out["compare"], out["rows"], out["pager"], live)


follow_theme(*GRAPHS)
