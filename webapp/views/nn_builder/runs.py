"""Runs tab: every stored run, their loss curves overlaid, and the first checked run's model, spec or code."""

from __future__ import annotations

from pathlib import Path

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from models.access import PRIVATE, TEAM
from models.nn import spec as nnspec
from models.nn.store import parse_run_id
from models.nn.store import runs as run_table
from models.ownership import OwnershipError, set_run_visibility
from webapp import ids as shell
from webapp import services
from webapp.components import nn_figures as figs
from webapp.components.theme import themed
from webapp.roles import acting_user, can, note, writes
from webapp.views.nn_builder.common import BLANK, alert
from webapp.views.nn_builder.ids import (
    CODE,
    DL_CODE,
    DL_MODEL,
    DL_SPEC,
    DOWNLOAD,
    OVERLAY,
    OVERLAY_LOG,
    PRIVATE_RUNS,
    RESULT,
    RUNS_GRID,
    RUNS_MESSAGE,
    SHARE_RUNS,
    TABS,
)


def _format(spec: str, diverged: bool = False) -> dict:
    """A number column's formatter; an empty cell stays empty (d3 would print null as 0), and a diverged run's
    last losses and metrics, NaN or meaningless, say "diverged"."""
    shown = f"(params.value == null ? '' : d3.format('{spec}')(params.value))"
    if diverged:
        shown = f"(params.data && params.data.status === 'diverged' ? 'diverged' : {shown})"
    return {"function": shown}


RUN_COLUMNS = [
    {"field": "id", "headerName": "run", "maxWidth": 90},
    {"field": "created_at", "headerName": "when", "minWidth": 150},
    {"field": "owner", "headerName": "trained by", "minWidth": 110},
    {"field": "visibility", "maxWidth": 110},
    {"field": "dataset", "minWidth": 200},
    {"field": "status", "maxWidth": 110},
    {"field": "network", "minWidth": 200, "flex": 2},
    {"field": "epochs", "maxWidth": 100},
    {"field": "val_loss", "headerName": "val loss", "maxWidth": 120, "valueFormatter": _format(".4g", diverged=True)},
    {"field": "metric", "maxWidth": 100},
    {
        "field": "val_metric",
        "headerName": "val metric",
        "maxWidth": 120,
        "valueFormatter": _format(".4f", diverged=True),
    },
    {"field": "seconds", "maxWidth": 100, "valueFormatter": _format(".1f")},
]


def tab():
    """The tab's content: the runs grid, the download buttons, the overlay and the exported code."""
    grid = dag.AgGrid(
        id=RUNS_GRID,
        columnDefs=RUN_COLUMNS,
        rowData=[],
        defaultColDef={"sortable": True, "filter": True, "resizable": True, "flex": 1},
        dashGridOptions={
            "rowSelection": {
                "mode": "multiRow",
                "checkboxes": True,
                "headerCheckbox": False,
                "enableClickSelection": True,
            },
            "animateRows": False,
        },
        getRowId="'' + params.data.id",  # AG Grid wants a string id (dash-ag-grid's evaluator has no String())
        style={"height": "260px"},
    )
    buttons = html.Div(
        [
            dbc.Button(
                "Download model (.keras)", color="secondary", id=DL_MODEL, size="sm", outline=True, className="me-2"
            ),
            dbc.Button(
                "Download spec (JSON)", color="secondary", id=DL_SPEC, size="sm", outline=True, className="me-2"
            ),
            dbc.Button("Export Keras code", color="secondary", id=DL_CODE, size="sm", outline=True),
            html.Span(" for the first checked run (or the newest)", className="small text-body-secondary ms-2"),
            html.Span(
                [
                    dbc.Button(
                        "Share checked runs with the team", id=SHARE_RUNS, size="sm", outline=True, color="secondary"
                    ),
                    dbc.Button(
                        "Make checked runs private",
                        id=PRIVATE_RUNS,
                        size="sm",
                        outline=True,
                        color="secondary",
                        className="ms-2",
                    ),
                ],
                className="ms-3",
                hidden=not can("editor"),
            ),
        ],
        className="mt-2",
    )
    return html.Div(
        [
            grid,
            buttons,
            html.Div(id=RUNS_MESSAGE, className="mt-2"),
            dbc.Switch(id=OVERLAY_LOG, label="log scale for the losses", value=True, className="mt-2 small"),
            dcc.Graph(id=OVERLAY, figure=BLANK, style={"height": "360px"}),
            html.Pre(id=CODE, className="small mt-2"),
            dcc.Download(id=DOWNLOAD),
        ],
        className="pt-3",
    )


def _rows(rows) -> list[dict]:
    """The grid rows a client sent, keeping only objects (a crafted payload may send anything)."""
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []


def _records() -> list[dict]:
    """The runs the acting user may see, newest first, as grid rows (with who trained each and its visibility)."""
    frame = services.nn().runs.list(user=acting_user())
    frame["created_at"] = frame["created_at"].astype(str).str.slice(0, 19)
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


@callback(Output(RUNS_GRID, "rowData"), Input(RESULT, "data"), Input(TABS, "active_tab"))
def list_runs(_result, tab):
    """Past runs from the database that the user may see, newest first."""
    if ctx.triggered_id == TABS and tab != "runs":
        return no_update
    return _records()


@callback(
    output={"rows": Output(RUNS_GRID, "rowData", allow_duplicate=True), "message": Output(RUNS_MESSAGE, "children")},
    inputs=[Input(SHARE_RUNS, "n_clicks"), Input(PRIVATE_RUNS, "n_clicks")],
    state=[State(RUNS_GRID, "selectedRows")],
    prevent_initial_call=True,
)
@writes()
def change_visibility(_share, _private, selected):
    """Make the checked runs team-visible or private (their owner, or an admin)."""
    visibility = TEAM if ctx.triggered_id == SHARE_RUNS else PRIVATE
    user, engine = acting_user(), services.nn().engine
    ids = [run_id for row in _rows(selected) if (run_id := parse_run_id(row.get("id"))) is not None]
    if not ids:
        return {"rows": no_update, "message": alert("Check the runs to change first.", "info")}
    changed, refused = [], []
    for run_id in ids:
        try:
            set_run_visibility(engine, run_table, user, run_id, visibility)
            changed.append(run_id)
        except OwnershipError as exc:
            refused.append(str(exc))
    for run_id in changed:
        note("nn.visibility", f"run:{run_id}", visibility=visibility)
    said = [f"{len(changed)} run(s) now {visibility}."] if changed else []
    color = "warning" if refused else "success"
    return {"rows": _records(), "message": alert(" ".join(said + refused[:3]), color)}


@callback(
    Output(OVERLAY, "figure"),
    Input(RUNS_GRID, "selectedRows"),
    Input(OVERLAY_LOG, "value"),
    State(shell.THEME_STORE, "data"),
)
def overlay(selected, log, theme):
    """The checked runs' training and validation loss curves on one chart (log scale: epoch 1 flattens the rest)."""
    workspace, user = services.nn(), acting_user()
    runs = [workspace.runs.get(row.get("id"), user) for row in _rows(selected)]  # ids no run has are left out
    return themed(figs.overlay_figure([run for run in runs if run], log=bool(log)), theme)


@callback(
    output={
        "download": Output(DOWNLOAD, "data"),
        "code": Output(CODE, "children"),
        "message": Output(RUNS_MESSAGE, "children"),
    },
    inputs=[Input(DL_MODEL, "n_clicks"), Input(DL_SPEC, "n_clicks"), Input(DL_CODE, "n_clicks")],
    state=[State(RUNS_GRID, "selectedRows"), State(RUNS_GRID, "rowData")],
    prevent_initial_call=True,
)
def download(_model, _spec, _code, selected, rows):
    """The first checked run's model file, its spec, or its network as Keras code."""
    chosen = (_rows(selected) or _rows(rows) or [None])[0]
    if not chosen:
        return {
            "download": no_update,
            "code": no_update,
            "message": alert("No run yet: train a network first.", "info"),
        }
    workspace, user = services.nn(), acting_user()
    record = workspace.runs.get(chosen.get("id"), user)  # another user's private run is no run here
    if record is None:
        message = alert(f"There is no run {chosen.get('id')!r}; pick one in the table.", "warning")
        return {"download": no_update, "code": no_update, "message": message}
    folder = Path(record["path"])
    name = f"nn-run-{record['id']}"
    if ctx.triggered_id == DL_MODEL:
        if not (folder / "model.keras").exists():
            message = alert(f"Run #{record['id']} has no saved model.", "warning")
            return {"download": no_update, "code": no_update, "message": message}
        return {
            "download": dcc.send_file(str(folder / "model.keras"), f"{name}.keras"),
            "code": no_update,
            "message": None,
        }
    if ctx.triggered_id == DL_SPEC:
        return {
            "download": dcc.send_file(str(folder / "spec.json"), f"{name}.json"),
            "code": no_update,
            "message": None,
        }
    data = workspace.result(record["id"], with_model=False, user=user).data
    code = nnspec.to_python(record["spec"], len(data["features"]), data["task"], len(data["classes"]) or None)
    return {"download": dcc.send_string(code, f"{name}.py"), "code": code, "message": None}
