"""Sentiment: where and why the tweet classifier errs, and fixing mislabeled tweets, then retraining."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import numpy as np
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from models.sentiment.data import DataError, labelled, read_table
from models.sentiment.labels import LABELS, LabelError, parse_label_map
from models.sentiment.views import SPLIT_NAMES, confusion, metrics, selected_rows, split_mask, table
from models.sentiment.workspace import DEFAULT_DATASET, UnknownDatasetError, Workspace
from webapp import ids, services
from webapp.components import sentiment_figures as figs
from webapp.components.confusion import confusion_figure
from webapp.components.theme import follow_theme, themed
from webapp.components.uploads import decode_upload, rejected_message, upload_zone

dash.register_page(__name__, path="/sentiment", name="Sentiment", order=2, title="Sentiment · Glassbox")

P = "sentiment-"
DATASET, UPLOAD, UPLOAD_FORM, TEXT_COL, LABEL_COL, SPLIT_COL, LABEL_MAP, USE, MESSAGE = (
    P + n
    for n in (
        "dataset",
        "upload",
        "upload-form",
        "text-column",
        "label-column",
        "split-column",
        "label-map",
        "use-upload",
        "message",
    )
)
RUN, CELL, LASSO, TWEET, REVISION, REJECTED = (P + n for n in ("run", "cell", "lasso", "tweet", "revision", "rejected"))
CONFUSION, TRIANGLE, TABLE, COUNT, PIE, EXPLAIN, METRICS, SPLIT, SHOW_ALL = (
    P + n for n in ("confusion", "triangle", "table", "count", "pie", "explain", "metrics", "split", "show-all")
)
(
    RELABEL_TO,
    RELABEL_ROWS,
    RELABEL_ALL,
    UNDO,
    EXPORT,
    DOWNLOAD,
    RETRAIN,
    CANCEL,
    PROGRESS,
    C_VALUE,
    WEIGHTING,
    NGRAMS,
    CHANGES,
) = (
    P + n
    for n in (
        "relabel-to",
        "relabel-rows",
        "relabel-all",
        "undo",
        "export",
        "download",
        "retrain",
        "cancel",
        "progress",
        "c",
        "weighting",
        "ngrams",
        "changes",
    )
)
GRAPHS = (CONFUSION, TRIANGLE, PIE, EXPLAIN)
# Graphs start with an (invisible) figure so the theme follower has something to patch.
BLANK = {"data": [], "layout": {"xaxis": {"visible": False}, "yaxis": {"visible": False}}}

GRID_COLUMNS = [
    {"field": "row", "maxWidth": 90},
    {"field": "text", "flex": 4, "minWidth": 300, "tooltipField": "text"},
    {"field": "actual", "maxWidth": 110},
    {"field": "predicted", "maxWidth": 110},
    {"field": "p_negative", "headerName": "p(neg)", "maxWidth": 100, "filter": "agNumberColumnFilter"},
    {"field": "p_neutral", "headerName": "p(neu)", "maxWidth": 100, "filter": "agNumberColumnFilter"},
    {"field": "p_positive", "headerName": "p(pos)", "maxWidth": 100, "filter": "agNumberColumnFilter"},
    {
        "field": "issue_score",
        "headerName": "label issue",
        "maxWidth": 120,
        "filter": "agNumberColumnFilter",
        "sort": "desc",
    },
    {"field": "suggested", "maxWidth": 110},
    {"field": "corrected", "maxWidth": 100},
]


def _workspace() -> Workspace:
    return services.sentiment()


def _card(title, body, card_id=None):
    return dbc.Card(dbc.CardBody([html.H2(title, className="h6")] + list(body)), className="h-100", id=card_id or "")


def layout(**_query):
    workspace = _workspace()
    options = [{"label": name, "value": key} for key, name in workspace.datasets().items()]
    data_card = _card(
        "Data",
        [
            dbc.Label("Dataset", html_for=DATASET),
            dcc.Dropdown(id=DATASET, options=options, value=DEFAULT_DATASET, clearable=False),
            upload_zone(UPLOAD, REJECTED, "Drop a CSV or Parquet file here", "mt-2"),
            html.Div(
                id=UPLOAD_FORM,
                hidden=True,
                children=[
                    dbc.Row(
                        [
                            dbc.Col([dbc.Label("Text column", className="small"), dcc.Dropdown(id=TEXT_COL)], md=4),
                            dbc.Col([dbc.Label("Label column", className="small"), dcc.Dropdown(id=LABEL_COL)], md=4),
                            dbc.Col(
                                [dbc.Label("Split column (optional)", className="small"), dcc.Dropdown(id=SPLIT_COL)],
                                md=4,
                            ),
                        ],
                        className="g-2 mt-1",
                    ),
                    dbc.Input(
                        id=LABEL_MAP,
                        placeholder="label mapping, e.g. 0=negative,1=positive,2=neutral",
                        size="sm",
                        className="mt-2",
                    ),
                    dbc.Button("Use this file", id=USE, size="sm", className="mt-2"),
                ],
            ),
            html.Div(id=MESSAGE, className="mt-2", role="status"),
        ],
    )
    model_card = _card(
        "Model and corrections",
        [
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label("C", html_for=C_VALUE, className="small"),
                            dbc.Input(id=C_VALUE, type="number", value=30, min=0, step="any", size="sm"),
                        ],
                        width=3,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("weighting", className="small"),
                            dbc.Select(id=WEIGHTING, options=["tfidf", "counts"], value="tfidf", size="sm"),
                        ],
                        width=4,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("n-grams", className="small"),
                            dbc.Select(
                                id=NGRAMS,
                                options=[{"label": f"1–{n}", "value": str(n)} for n in (1, 2, 3)],
                                value="2",
                                size="sm",
                            ),
                        ],
                        width=3,
                    ),
                ],
                className="g-2",
            ),
            html.Div(
                [
                    dbc.Button("Retrain", id=RETRAIN, color="primary", size="sm", className="me-2"),
                    dbc.Button(
                        "Stop", id=CANCEL, color="secondary", size="sm", outline=True, className="me-2", disabled=True
                    ),
                    dbc.Button("Undo last correction", id=UNDO, size="sm", outline=True, className="me-2"),
                    dbc.Button("Export corrected CSV", id=EXPORT, size="sm", outline=True),
                ],
                className="mt-2",
            ),
            dbc.Progress(id=PROGRESS, value=0, label="", className="mt-2", style={"height": "1.1rem"}),
            html.Div(id=CHANGES, className="small mt-2"),
        ],
    )
    return html.Div(
        [
            html.H1("Sentiment", className="h3", id="sentiment-title"),
            html.P(
                "A bag-of-words one-vs-rest logistic regression of financial tweets. Click a confusion cell, lasso "
                "points in the triangle, click a tweet to see why, relabel what the taggers got wrong, retrain.",
                className="text-body-secondary",
            ),
            dbc.Row(
                [
                    dbc.Col(data_card, lg=5),
                    dbc.Col(model_card, lg=4),
                    dbc.Col(_card("Metrics", [html.Div(id=METRICS)]), lg=3),
                ],
                className="g-3",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.RadioItems(
                                id=SPLIT,
                                options=[{"label": v, "value": k} for k, v in SPLIT_NAMES.items()],
                                value="test",
                                inline=True,
                                className="small",
                            ),
                            dcc.Graph(
                                id=CONFUSION, figure=BLANK, config={"displayModeBar": False}, style={"height": "360px"}
                            ),
                        ],
                        lg=5,
                    ),
                    dbc.Col(
                        dcc.Graph(
                            id=TRIANGLE,
                            figure=BLANK,
                            style={"height": "400px"},
                            config={"modeBarButtonsToRemove": ["autoScale2d"], "displaylogo": False},
                        ),
                        lg=7,
                    ),
                ],
                className="g-3 mt-1",
            ),
            dbc.Row(
                [
                    dbc.Col(html.Div(id=COUNT, className="fw-semibold"), md="auto", className="me-auto"),
                    dbc.Col(dbc.Button("Whole split", id=SHOW_ALL, size="sm", outline=True), md="auto"),
                    dbc.Col(
                        dbc.InputGroup(
                            [
                                dbc.InputGroupText("relabel as"),
                                dbc.Select(id=RELABEL_TO, options=list(LABELS), value="neutral"),
                                dbc.Button("checked rows", id=RELABEL_ROWS, outline=True),
                                dbc.Button("whole selection", id=RELABEL_ALL, outline=True, color="warning"),
                            ],
                            size="sm",
                        ),
                        md="auto",
                    ),
                ],
                className="g-2 mt-2 align-items-center",
            ),
            dag.AgGrid(
                id=TABLE,
                columnDefs=GRID_COLUMNS,
                rowData=[],
                defaultColDef={"sortable": True, "filter": True, "resizable": True, "flex": 1},
                dashGridOptions={
                    "rowSelection": {
                        "mode": "multiRow",
                        "checkboxes": True,
                        "headerCheckbox": True,
                        "enableClickSelection": False,
                    },
                    "animateRows": False,
                    "pagination": True,
                    "paginationPageSize": 50,
                    "tooltipShowDelay": 300,
                },
                getRowId="params.data.row",
                className="mt-2",
                style={"height": "420px"},
            ),
            dbc.Row(
                [
                    dbc.Col(
                        dcc.Graph(id=PIE, figure=BLANK, style={"height": "320px"}, config={"displayModeBar": False}),
                        lg=4,
                    ),
                    dbc.Col(dcc.Graph(id=EXPLAIN, figure=BLANK, config={"displayModeBar": False}), lg=8),
                ],
                className="g-3 mt-2 mb-4",
            ),
            dcc.Store(id=REJECTED),
            dcc.Store(id=RUN),
            dcc.Store(id=CELL),
            dcc.Store(id=LASSO),
            dcc.Store(id=TWEET),
            dcc.Store(id=REVISION, data=0),
            dcc.Download(id=DOWNLOAD),
        ]
    )


def _custom(point: dict) -> list:
    """A point's customdata as a list: Plotly hands typed-array rows over as ``{"0": .., "1": ..}``."""
    data = point.get("customdata")
    if isinstance(data, dict):
        return [data[k] for k in sorted(data, key=int)]
    return list(data) if isinstance(data, (list, tuple)) else [data]


def _error(message: str, color: str = "danger"):
    return dbc.Alert(message, color=color, className="py-2 small mb-0", dismissable=True)


def _ensure_run(workspace: Workspace, dataset_id: str) -> dict:
    run_id = workspace.latest_run_id(dataset_id)
    previous = workspace.runs.latest(dataset_id, before=run_id)
    return {"dataset": dataset_id, "run": run_id, "previous": previous and previous["id"]}


@callback(
    Output(RUN, "data"),
    Output(MESSAGE, "children", allow_duplicate=True),
    Input(DATASET, "value"),
    prevent_initial_call="initial_duplicate",
)
def choose_dataset(dataset_id):
    """Show the dataset's newest model (training one the first time the dataset is opened)."""
    try:
        return _ensure_run(_workspace(), dataset_id or DEFAULT_DATASET), no_update
    except (UnknownDatasetError, DataError) as exc:
        return no_update, _error(str(exc))


def _state(run_info, split):
    workspace = _workspace()
    run = workspace.run(run_info["run"])
    labels, corrected = workspace.labels(run_info["dataset"])
    return workspace, run, labels, corrected, split_mask(run.scores, split or "test")


@callback(
    Output(CONFUSION, "figure"),
    Output(METRICS, "children"),
    Output(CHANGES, "children"),
    Input(RUN, "data"),
    Input(SPLIT, "value"),
    Input(REVISION, "data"),
    Input(CELL, "data"),
    State(ids.THEME_STORE, "data"),
    prevent_initial_call=True,
)
def render_overview(run_info, split, _revision, cell, theme):
    """Confusion matrix and metrics of the current labels against the run's predictions."""
    workspace, run, labels, corrected, mask = _state(run_info, split)
    predicted = run.scores["predicted"].to_numpy()
    matrix = confusion(labels, predicted, mask)
    chosen = tuple(cell["cell"]) if cell and cell.get("cell") and cell.get("split") == split else None
    figure = confusion_figure(matrix, LABELS, selected=chosen)
    return (
        themed(figure, theme),
        _metrics_panel(metrics(labels, predicted, mask)),
        _changes(workspace, run_info, corrected),
    )


def _metrics_panel(result: dict):
    rows = [
        html.Tr(
            [
                html.Td(label),
                html.Td(f"{v['precision']:.2f}"),
                html.Td(f"{v['recall']:.2f}"),
                html.Td(f"{v['support']:,}"),
            ]
        )
        for label, v in result["per_class"].items()
    ]
    return html.Div(
        [
            html.Div(
                [
                    html.Span("accuracy ", className="text-body-secondary"),
                    html.Strong(f"{result['accuracy']:.3f}", id=P + "accuracy"),
                    html.Span("  macro-F1 ", className="text-body-secondary ms-2"),
                    html.Strong(f"{result['macro_f1']:.3f}", id=P + "macro-f1"),
                ]
            ),
            dbc.Table(
                [
                    html.Thead(html.Tr([html.Th(""), html.Th("precision"), html.Th("recall"), html.Th("n")])),
                    html.Tbody(rows),
                ],
                size="sm",
                className="mt-2 mb-0 small",
            ),
        ]
    )


def _changes(workspace: Workspace, run_info: dict, corrected: np.ndarray):
    record = workspace.runs.get(run_info["run"])
    lines = [
        html.Div(
            f"Model run #{record['id']}: trained in {record['seconds']:.1f} s with {record['corrections']} correction(s); "
            f"{int(corrected.sum())} row(s) corrected now.",
            id=P + "run-info",
        )
    ]
    previous = run_info.get("previous") and workspace.runs.get(run_info["previous"])
    if previous:
        before, after = previous["metrics"], record["metrics"]
        delta = np.asarray(after["confusion_matrix"]) - np.asarray(before["confusion_matrix"])
        moved = (
            ", ".join(f"{LABELS[i]}→{LABELS[j]} {delta[i, j]:+d}" for i, j in zip(*np.nonzero(delta)))
            or "no cell changed"
        )
        lines.append(
            html.Div(
                [
                    f"Against run #{previous['id']} (test split): accuracy {before['accuracy']:.3f} → {after['accuracy']:.3f}, "
                    f"macro-F1 {before['macro_f1']:.3f} → {after['macro_f1']:.3f}; confusion change: {moved}."
                ],
                id=P + "before-after",
            )
        )
    return lines


@callback(
    Output(CELL, "data"),
    Output(LASSO, "data"),
    Input(CONFUSION, "clickData"),
    Input(SHOW_ALL, "n_clicks"),
    Input(SPLIT, "value"),
    Input(RUN, "data"),
    prevent_initial_call=True,
)
def select_cell(click, _all, split, _run):
    """A confusion cell becomes the selection; the split, a new run or "whole split" reset it."""
    if ctx.triggered_id == CONFUSION and click:
        point = click["points"][0]
        return {"split": split, "cell": [LABELS.index(point["y"]), LABELS.index(point["x"])]}, None
    return {"split": split, "cell": None}, None


@callback(Output(LASSO, "data", allow_duplicate=True), Input(TRIANGLE, "selectedData"), prevent_initial_call=True)
def lasso(selected):
    """Lasso or box selection narrows the table to those points; clearing it widens it again."""
    if not selected or not selected.get("points"):
        return None
    return sorted({int(_custom(p)[0]) for p in selected["points"] if p.get("customdata") is not None})


@callback(
    Output(TRIANGLE, "figure"),
    Input(CELL, "data"),
    Input(RUN, "data"),
    Input(REVISION, "data"),
    State(ids.THEME_STORE, "data"),
    prevent_initial_call=True,
)
def render_triangle(cell, run_info, _revision, theme):
    if not run_info or not cell:
        return no_update
    _, run, labels, _, mask = _state(run_info, cell["split"])
    rows = selected_rows(labels, run.scores["predicted"].to_numpy(), mask, cell.get("cell"))
    title = _selection_title(cell, len(rows)) + " — lasso to narrow"
    return themed(figs.triangle_figure(run.scores.iloc[rows], labels[rows], title), theme)


def _selection_title(cell: dict, n: int) -> str:
    if cell.get("cell"):
        actual, predicted = cell["cell"]
        return f"{n:,} tweets: actual {LABELS[actual]}, predicted {LABELS[predicted]}"
    return f"{n:,} tweets in the {cell['split']} split"


@callback(
    Output(TABLE, "rowData"),
    Output(COUNT, "children"),
    Input(CELL, "data"),
    Input(LASSO, "data"),
    Input(RUN, "data"),
    Input(REVISION, "data"),
    prevent_initial_call=True,
)
def render_table(cell, lassoed, run_info, _revision):
    """The selection's tweets, most suspicious label first."""
    if not run_info or not cell:
        return no_update, no_update
    _, run, labels, corrected, mask = _state(run_info, cell["split"])
    rows = selected_rows(labels, run.scores["predicted"].to_numpy(), mask, cell.get("cell"))
    if lassoed is not None:
        rows = np.intersect1d(rows, np.asarray(lassoed, dtype=np.int64))
    count = _selection_title(cell, len(rows)) + (" (lasso)" if lassoed is not None else "")
    return table(run.scores, labels, corrected, rows).to_dict("records"), count


@callback(
    Output(TWEET, "data"),
    Input(TABLE, "cellClicked"),
    Input(TRIANGLE, "clickData"),
    Input(PIE, "clickData"),
    State(TWEET, "data"),
    State(RUN, "data"),
    prevent_initial_call=True,
)
def pick_tweet(cell_clicked, triangle_click, pie_click, current, run_info):
    """A tweet clicked in the table or the triangle is explained; a pie slice picks the binary model."""
    if ctx.triggered_id == PIE:
        if not pie_click or not current:
            return no_update
        return {**current, "label": pie_click["points"][0]["label"]}
    if ctx.triggered_id == TABLE and cell_clicked and cell_clicked.get("rowId") is not None:
        row = int(cell_clicked["rowId"])
    elif ctx.triggered_id == TRIANGLE and triangle_click and triangle_click["points"][0].get("customdata") is not None:
        row = int(_custom(triangle_click["points"][0])[0])
    else:
        return no_update
    run = _workspace().run(run_info["run"])
    return {"row": row, "label": LABELS[int(run.scores["predicted"].iat[row])]}


@callback(
    Output(PIE, "figure"),
    Output(EXPLAIN, "figure"),
    Input(TWEET, "data"),
    Input(RUN, "data"),
    State(ids.THEME_STORE, "data"),
)
def render_tweet(tweet, run_info, theme):
    if not tweet or not run_info:
        hint = "Click a tweet in the table or the triangle"
        return themed(figs.empty_figure(hint), theme), themed(
            figs.empty_figure("…then a pie slice to explain that class"), theme
        )
    run = _workspace().run(run_info["run"])
    if tweet["row"] >= len(run.scores):
        return no_update, no_update
    scores = run.scores.iloc[tweet["row"]]
    proba = scores[["p_negative", "p_neutral", "p_positive"]].to_numpy(float)
    explanation = run.model.explain(scores["text"], tweet["label"])
    return themed(figs.probability_pie(proba, scores["text"]), theme), themed(
        figs.explanation_figure(explanation), theme
    )


@callback(
    Output(REVISION, "data"),
    Output(MESSAGE, "children", allow_duplicate=True),
    Input(RELABEL_ROWS, "n_clicks"),
    Input(RELABEL_ALL, "n_clicks"),
    State(RELABEL_TO, "value"),
    State(TABLE, "selectedRows"),
    State(TABLE, "rowData"),
    State(RUN, "data"),
    State(REVISION, "data"),
    prevent_initial_call=True,
)
def relabel(_rows_clicks, _all_clicks, new_label, checked, shown, run_info, revision):
    """Store corrections for the checked rows, or for every row the table shows; one undo step."""
    chosen = shown if ctx.triggered_id == RELABEL_ALL else checked
    if not chosen:
        return no_update, _error("Check some rows in the table first (or use “whole selection”).", "warning")
    workspace = _workspace()
    dataset = workspace.dataset(run_info["dataset"])
    labels, _ = workspace.labels(run_info["dataset"])
    rows = np.asarray([int(r["row"]) for r in chosen], dtype=np.int64)
    workspace.corrections.relabel(
        run_info["dataset"],
        rows,
        dataset["text"].to_numpy()[rows],
        np.asarray(LABELS, dtype=object)[labels[rows]],
        new_label,
    )
    changed = int(np.sum(labels[rows] != LABELS.index(new_label)))
    return (revision or 0) + 1, _error(
        f"Relabelled {changed} tweet(s) as {new_label}. Retrain to update the model.", "success"
    )


@callback(
    Output(REVISION, "data", allow_duplicate=True),
    Output(MESSAGE, "children", allow_duplicate=True),
    Input(UNDO, "n_clicks"),
    State(RUN, "data"),
    State(REVISION, "data"),
    prevent_initial_call=True,
)
def undo(_clicks, run_info, revision):
    undone = _workspace().corrections.undo(run_info["dataset"])
    if not undone:
        return no_update, _error("Nothing to undo.", "info")
    return (revision or 0) + 1, _error(f"Undid the last correction ({undone} tweet(s)); the history keeps it.", "info")


@callback(Output(DOWNLOAD, "data"), Input(EXPORT, "n_clicks"), State(RUN, "data"), prevent_initial_call=True)
def export(_clicks, run_info):
    return dcc.send_string(_workspace().corrected_csv(run_info["dataset"]), f"{run_info['dataset']}-corrected.csv")


@callback(
    Output(RUN, "data", allow_duplicate=True),
    Output(MESSAGE, "children", allow_duplicate=True),
    Input(RETRAIN, "n_clicks"),
    State(RUN, "data"),
    State(C_VALUE, "value"),
    State(WEIGHTING, "value"),
    State(NGRAMS, "value"),
    background=True,
    running=[(Output(RETRAIN, "disabled"), True, False), (Output(CANCEL, "disabled"), False, True)],
    progress=[Output(PROGRESS, "value"), Output(PROGRESS, "label")],
    cancel=[Input(CANCEL, "n_clicks")],
    prevent_initial_call=True,
)
def retrain(set_progress, _clicks, run_info, c_value, weighting, ngrams):
    """Refit with the corrections on a background worker; the page shows progress and stays usable."""
    try:
        c_value = float(c_value)
        if not c_value > 0 or not np.isfinite(c_value):
            raise ValueError
    except (TypeError, ValueError):
        return no_update, _error("C must be a positive number.", "warning")
    params = {"C": c_value, "weighting": weighting, "ngram_max": int(ngrams)}
    workspace = _workspace()
    run_id = workspace.train(
        run_info["dataset"],
        params,
        progress=lambda step, total, message: set_progress((round(100 * step / total), message)),
    )
    return {"dataset": run_info["dataset"], "run": run_id, "previous": run_info["run"]}, _error(
        f"Retrained: model run #{run_id}.", "success"
    )


@callback(
    Output(UPLOAD_FORM, "hidden"),
    Output(TEXT_COL, "options"),
    Output(LABEL_COL, "options"),
    Output(SPLIT_COL, "options"),
    Output(TEXT_COL, "value"),
    Output(LABEL_COL, "value"),
    Output(SPLIT_COL, "value"),
    Output(MESSAGE, "children", allow_duplicate=True),
    Input(UPLOAD, "contents"),
    State(UPLOAD, "filename"),
    prevent_initial_call=True,
)
def read_upload(contents, filename):
    """Read the file once to offer its columns; guess text/label/split columns by name."""
    try:
        table_ = read_table(decode_upload(contents, DataError), filename or "upload")
    except DataError as exc:
        return True, *[no_update] * 6, _error(str(exc))
    columns = list(table_.frame.columns)
    lowered = {c.lower(): c for c in columns}
    guess = lambda *names: next((lowered[n] for n in names if n in lowered), None)  # noqa: E731
    notes = [
        f"{filename}: {len(table_.frame):,} rows, columns {', '.join(columns)}. Choose the text and label columns."
    ]
    return (
        False,
        columns,
        columns,
        columns,
        guess("text", "tweet", "sentence") or columns[0],
        guess("label", "sentiment", "class", "target") or columns[1],
        guess("split", "set"),
        _error(" ".join(notes + list(table_.notes)), "info"),
    )


@callback(Output(MESSAGE, "children", allow_duplicate=True), Input(REJECTED, "data"), prevent_initial_call=True)
def reject_upload(rejected):
    """A file over the upload limit, stopped in the browser before it was sent."""
    return _error(rejected_message(rejected) + " The current data stays loaded.")


@callback(
    Output(DATASET, "options"),
    Output(DATASET, "value"),
    Output(MESSAGE, "children", allow_duplicate=True),
    Input(USE, "n_clicks"),
    State(UPLOAD, "contents"),
    State(UPLOAD, "filename"),
    State(TEXT_COL, "value"),
    State(LABEL_COL, "value"),
    State(SPLIT_COL, "value"),
    State(LABEL_MAP, "value"),
    prevent_initial_call=True,
)
def use_upload(_clicks, contents, filename, text_col, label_col, split_col, label_map):
    """Turn the upload into a stored dataset with the chosen columns and label mapping."""
    try:
        table_ = read_table(decode_upload(contents, DataError), filename or "upload")
        if not text_col or not label_col:
            raise DataError("Choose the text column and the label column.")
        dataset, notes = labelled(table_.frame, text_col, label_col, parse_label_map(label_map), split_col or None)
    except LabelError as exc:
        example = ",".join(f"{u}=…" for u in exc.unknown[:3])
        return no_update, no_update, _error(f"{exc} Write a mapping in the box, e.g. {example}", "warning")
    except DataError as exc:
        return no_update, no_update, _error(str(exc))
    workspace = _workspace()
    dataset_id = workspace.save_dataset(dataset, name=filename or "upload")
    options = [{"label": name, "value": key} for key, name in workspace.datasets().items()]
    counts = dataset["split"].value_counts()
    message = (
        [f"Loaded {len(dataset):,} tweets ({counts.get('train', 0):,} train, {counts.get('test', 0):,} test)."]
        + notes
        + list(table_.notes)
    )
    return options, dataset_id, _error(" ".join(message), "success")


follow_theme(*GRAPHS)
