"""The logs page's layout: controls, the seven charts, the stats and comparison panels, the events grid."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import flask
from dash import dcc, html

from models.logs.aggregate import GRANULARITY_S
from models.logs.dataset import normalise, source_id
from models.logs.sources import BUILTIN, path_source_id, server_paths, uploaded_sources
from models.ownership import label
from webapp import services
from webapp.components.job_watch import job_watch_layout
from webapp.roles import acting_user, can
from webapp.views.logs import ids, panels

LIVE_INTERVAL_MS = 3000
UPLOAD_CHUNK_BYTES = 4 << 20  # one callback request per chunk: 5.3 MiB of base64

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
    remove = [] if graph_id == ids.TIMESERIES else ["select2d", "lasso2d", "autoScale2d"]
    return dbc.Col(
        dcc.Graph(id=graph_id, figure={}, config={"displaylogo": False, "modeBarButtonsToRemove": remove}), md=md
    )


def chunk_bytes() -> int:
    """Upload chunk size: never more than the upload limit, so a chunk's request stays under the body limit."""
    limit = flask.current_app.config["MAX_UPLOAD_BYTES"] if flask.has_app_context() else UPLOAD_CHUNK_BYTES
    return min(UPLOAD_CHUNK_BYTES, limit)


def _server_options() -> list[dict]:
    """The server files the configuration (GLASSBOX_LOG_PATHS) allows."""
    if not flask.has_app_context():
        return []
    paths = server_paths(flask.current_app.config.get("LOG_PATHS", ()))
    return [{"label": f"Server: {path}", "value": path_source_id(path)} for path in paths]


def _upload_options() -> list[dict]:
    """The uploads the user may see, with their owner and visibility."""
    if not flask.has_app_context():
        return []
    found = uploaded_sources(acting_user(), services.owners(), flask.current_app.config["DATA_DIR"])
    return [
        {"label": f"Upload: {entry.get('name') or item} ({label(entry['owner'], entry['visibility'])})", "value": item}
        for item, entry in found.items()
    ]


def _dataset_options() -> list[dict]:
    """The Parquet datasets the configuration (GLASSBOX_LOG_DATASETS) allows."""
    if not flask.has_app_context():
        return []
    locations = [normalise(location) for location in flask.current_app.config.get("LOG_DATASETS", ())]
    return [{"label": f"Parquet dataset: {location}", "value": source_id(location)} for location in locations]


def _controls(server_options: list[dict]) -> dbc.Row:
    options = [{"label": text, "value": value} for value, text in BUILTIN.items()] + server_options + _upload_options()
    viewer = flask.has_app_context() and not can("editor")
    return dbc.Row(
        [
            dbc.Col(dcc.Dropdown(id=ids.SOURCE, options=options, value="sample", clearable=False), md=3),
            dbc.Col(
                [
                    # dcc.Upload is the drop zone and file dialog only: assets/glassbox.js takes the
                    # chosen or dropped file before it does, and assets/logs.js sends it in chunks,
                    # each one acknowledged by the server, so the bar below shows what has arrived.
                    html.Div(
                        dcc.Upload(
                            id=ids.UPLOAD,
                            children=html.Div(["Drop an access log here or ", html.A("choose a file", href="#")]),
                            className="border border-secondary-subtle rounded text-center py-2",
                            multiple=False,
                        ),
                        **{"data-upload-store": ids.UPLOAD_START, "data-chunk-bytes": str(chunk_bytes())},
                    ),
                    dbc.Progress(
                        id=ids.UPLOAD_PROGRESS, value=0, label="", class_name="mt-1 d-none", style={"height": "1.1rem"}
                    ),
                    html.Div(
                        [
                            html.Small(id=ids.SHARE_NOTE, className="text-body-secondary"),
                            dbc.Button(
                                "Share with the team",
                                id=ids.SHARE,
                                size="sm",
                                outline=True,
                                color="secondary",
                                disabled=True,
                            ),
                        ],
                        className="mt-1 d-flex flex-wrap align-items-center gap-2",
                    ),
                ],
                md=4,
                # a viewer uploads nothing: no drop zone, no share button (the server refuses them too)
                class_name="d-none" if viewer else "",
            ),
            dbc.Col(
                [
                    dbc.RadioItems(
                        id=ids.GRAN,
                        options=[{"label": g, "value": g} for g in GRANULARITY_S],
                        value="hour",
                        inline=True,
                    ),
                    dbc.Switch(
                        id=ids.LIVE_SWITCH,
                        label="Live",
                        value=False,
                        disabled=True,
                        class_name="ms-2 mb-0",
                        label_class_name="small",
                    ),
                    # Why Live is off; assets/logs.js fills it in as the source changes.
                    html.Small(id=ids.LIVE_HINT, className="text-body-secondary w-100"),
                ],
                md=3,
                class_name="d-flex flex-wrap align-items-center",
            ),
            dbc.Col(
                dbc.Button("Reset filters", id=ids.RESET, color="secondary", outline=True),
                md=2,
                class_name="text-end",
            ),
        ],
        class_name="g-2 mb-2",
    )


def _prepare_box() -> html.Div:
    """What shows while a source is parsed into its store for the first time (a background job)."""
    return html.Div(
        [
            dcc.Store(id=ids.PREPARE),
            dcc.Store(id=ids.PREPARED),
            html.Div(
                [
                    dbc.Label("Reading the log for the first time", html_for=ids.PREPARE_PROGRESS, class_name="small"),
                    dbc.Progress(id=ids.PREPARE_PROGRESS, value=0, label="", style={"height": "1.1rem"}),
                ],
                id=ids.PREPARE_BOX,
                hidden=True,
                className="mb-2",
            ),
            html.Div(id=ids.PREPARE_MSG),
            job_watch_layout(ids.PREPARE_WATCH, "reading of the log"),
        ]
    )


def layout(**_query):
    server_options = _server_options()
    dataset_options = _dataset_options()
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.VIEW),
            dcc.Store(id=ids.VIEW_SOURCE),
            dcc.Store(id=ids.DRAWN),
            dcc.Store(id=ids.FRAGMENT),
            dcc.Store(id=ids.LIVE),
            dcc.Store(id=ids.ZOOM),
            dcc.Store(id=ids.UPLOAD_START),
            dcc.Store(id=ids.UPLOAD_CHUNK),
            dcc.Store(id=ids.UPLOAD_ACK),
            dcc.Store(id=ids.CLIENT, data={**ids.CLIENT_CONFIG, "serverFiles": bool(server_options)}),
            dcc.Interval(id=ids.LIVE_TICK, interval=LIVE_INTERVAL_MS, disabled=True),
            html.H1("Logs", id="logs-title", className="h3"),
            _controls(server_options + dataset_options),
            dcc.Loading(html.Div(id=ids.UPLOAD_MSG), type="dot"),
            _prepare_box(),
            html.Div(id=ids.ERROR),
            html.Div(id=ids.CHIPS, className="mb-2"),
            dbc.Row(panels.stats_layout(), id=ids.STATS, class_name="g-2 mb-2"),
            dbc.Row([_graph(ids.TIMESERIES, 12)]),
            dbc.Row([_graph(ids.DAILY, 6), _graph(ids.HOURLY, 6)]),
            dbc.Row([_graph(ids.PRODUCTS, 4), _graph(ids.CATEGORIES, 4), _graph(ids.STATUS, 4)]),
            dbc.Row([_graph(ids.HEATMAP, 8), dbc.Col(html.Div(panels.compare_layout(), id=ids.COMPARE), md=4)]),
            html.H2("Matching events", className="h5 mt-3"),
            dag.AgGrid(
                id=ids.GRID,
                columnDefs=GRID_COLUMNS,
                rowData=[],
                defaultColDef={"resizable": True, "sortable": False},
                columnSize="responsiveSizeToFit",
                style={"height": "420px"},
            ),
            html.Div(
                [
                    dbc.Button("‹ Newer", id=ids.PREV, size="sm", color="secondary", outline=True, class_name="me-2"),
                    dbc.Button("Older ›", id=ids.NEXT, size="sm", color="secondary", outline=True, class_name="me-3"),
                    html.Span(id=ids.PAGER),
                ],
                className="mt-2",
            ),
        ]
    )
