"""The Sentiment page's layout: data and model cards, metrics, confusion matrix, triangle, table, explanation."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import sqlalchemy as sa
from dash import dcc, html

from models.sentiment.labels import LABELS
from models.sentiment.views import SPLIT_NAMES
from models.sentiment.workspace import BUILTIN, DEFAULT_DATASET
from webapp import services
from webapp.components.job_watch import job_watch_layout
from webapp.components.uploads import upload_zone
from webapp.roles import acting_user, can
from webapp.views.sentiment.common import DATABASE_DOWN, alert
from webapp.views.sentiment.grid import tweet_grid
from webapp.views.sentiment.ids import (
    C_VALUE,
    CANCEL,
    CELL,
    CHANGES,
    CONFIRM,
    CONFIRM_NO,
    CONFIRM_TEXT,
    CONFIRM_YES,
    CONFUSION,
    COUNT,
    DATASET,
    DOWNLOAD,
    EXPLAIN,
    EXPORT,
    FIRST,
    FIRST_PANEL,
    FIRST_PROGRESS,
    FIRST_STATUS,
    FREQ,
    ID_COL,
    LABEL_COL,
    LABEL_COUNTS,
    LABEL_MAP,
    LASSO,
    LEARNING_CURVE,
    MESSAGE,
    METRICS,
    MODE_TABS,
    NGRAMS,
    PENDING,
    PIE,
    PROGRESS,
    QUEUE,
    QUEUE_ANSWER,
    QUEUE_ANSWERED,
    QUEUE_ITEM,
    QUEUE_MODE,
    QUEUE_PROBA,
    QUEUE_RETRAIN,
    QUEUE_SESSION,
    QUEUE_SKIP,
    QUEUE_STATUS,
    QUEUE_TEXT,
    QUEUE_TOKENS,
    QUEUE_UNDO,
    REJECTED,
    RELABEL_ALL,
    RELABEL_ROWS,
    RELABEL_TO,
    RETRAIN,
    RETRAIN_WATCH,
    REVISION,
    RUN,
    RUN_SHARE,
    RUN_SHARE_NOTE,
    SHARE,
    SHARE_NOTE,
    SHOW_ALL,
    SHOW_UNLABELLED,
    SPLIT,
    SPLIT_COL,
    TEXT_COL,
    TICKERS,
    TIME_COL,
    TIMES,
    TIMES_DOWNLOAD,
    TIMES_EXPORT,
    TIMES_NOTE,
    TITLE,
    TRIANGLE,
    TWEET,
    UNDO,
    UPLOAD,
    UPLOAD_FORM,
    USE,
    WEIGHTING,
)

# Graphs start with an (invisible) figure so the theme follower has something to patch.
BLANK = {"data": [], "layout": {"xaxis": {"visible": False}, "yaxis": {"visible": False}}}
# The Label tab's answer keys (assets/label_queue.js clicks the button whose data-queue-key is the key pressed).
KEYS = {"negative": "1", "neutral": "2", "positive": "3"}
BUTTON_STYLES = {"negative": "danger", "neutral": "secondary", "positive": "success"}


def _key_button(text: str, key: str, key_name: str, button_id, colour: str):
    """A button that says its key; ``data-queue-key`` lets the key listener find it."""
    return html.Button(
        [text, " ", html.Kbd(key_name)],
        id=button_id,
        n_clicks=0,
        className=f"btn btn-outline-{colour} btn-sm me-2 mb-1",
        title=f"{text} (key {key_name})",
        **{"data-queue-key": key},
    )


def queue_panel(viewer: bool = False):
    """The Label tab's content; a viewer sees the queue but no answer buttons (the server refuses answers too)."""
    answers = [
        _key_button(label, key, key, {"type": QUEUE_ANSWER, "label": label}, BUTTON_STYLES[label])
        for label, key in KEYS.items()
    ]
    return html.Div(
        [
            dbc.RadioItems(
                id=QUEUE_MODE,
                options=[
                    {"label": "label unlabelled rows, most informative first", "value": "label"},
                    {"label": "review labelled rows, most suspicious first", "value": "review"},
                ],
                value="label",
                inline=True,
                className="small",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            html.Div(id=QUEUE_STATUS, className="small text-body-secondary mt-2", role="status"),
                            html.Blockquote(id=QUEUE_TEXT, className="fs-5 my-3 border-start border-3 ps-3"),
                            html.Div(id=QUEUE_PROBA, className="small mb-2"),
                            html.Div(
                                [
                                    *answers,
                                    _key_button("skip", " ", "space", QUEUE_SKIP, "secondary"),
                                    _key_button("undo", "Backspace", "⌫ backspace", QUEUE_UNDO, "secondary"),
                                ],
                                hidden=viewer,
                            ),
                            html.P("Labelling needs the editor role.", className="small", hidden=not viewer),
                            html.Div(id=QUEUE_ANSWERED, className="small mt-2", **{"aria-live": "polite"}),
                        ],
                        lg=6,
                    ),
                    dbc.Col(
                        dcc.Graph(id=QUEUE_TOKENS, figure=BLANK, config={"displayModeBar": False}),
                        lg=6,
                    ),
                ],
                className="g-3",
            ),
            dcc.Graph(id=LEARNING_CURVE, figure=BLANK, config={"displayModeBar": False}, style={"height": "260px"}),
            dcc.Store(id=QUEUE_ITEM),
            dcc.Store(id=QUEUE_SESSION),
            dcc.Store(id=QUEUE_RETRAIN, data=0),
        ],
        id=QUEUE,
        className="border rounded p-3 my-2",
    )


def _card(title, body, card_id=None):
    return dbc.Card(dbc.CardBody([html.H2(title, className="h6")] + list(body)), className="h-100", id=card_id or "")


def layout(**_query):
    viewer = not can("editor")  # a viewer's page shows no upload, relabel, undo, retrain or share control
    try:
        options = [{"label": name, "value": key} for key, name in services.sentiment().datasets(acting_user()).items()]
        outage = None
    except sa.exc.DatabaseError:  # the workspace is built on first use after an outage at start
        options, outage = [{"label": BUILTIN[DEFAULT_DATASET], "value": DEFAULT_DATASET}], alert(DATABASE_DOWN)
    data_card = _card(
        "Data",
        [
            dbc.Label("Dataset", html_for=DATASET),
            dcc.Dropdown(id=DATASET, options=options, value=DEFAULT_DATASET, clearable=False),
            html.Div(id=LABEL_COUNTS, className="small mt-1", **{"aria-live": "polite"}),
            html.Div(upload_zone(UPLOAD, REJECTED, "Drop a CSV or Parquet file here", "mt-2"), hidden=viewer),
            html.Div(
                [
                    html.Span(id=SHARE_NOTE, className="small text-body-secondary"),
                    dbc.Button("Share with the team", id=SHARE, size="sm", outline=True, color="secondary"),
                ],
                # d-flex is display:flex !important, which beats the hidden attribute: a viewer's gets d-none
                className="d-none" if viewer else "mt-2 d-flex flex-wrap align-items-center gap-2",
                hidden=viewer,
            ),
            html.Div(
                id=UPLOAD_FORM,
                hidden=True,
                children=[
                    dbc.Row(
                        [
                            dbc.Col(
                                [
                                    dbc.Label("Text column", html_for=TEXT_COL, className="small"),
                                    dcc.Dropdown(id=TEXT_COL),
                                ],
                                md=4,
                            ),
                            dbc.Col(
                                [
                                    dbc.Label("Label column", html_for=LABEL_COL, className="small"),
                                    dcc.Dropdown(id=LABEL_COL),
                                ],
                                md=4,
                            ),
                            dbc.Col(
                                [
                                    dbc.Label("Split column (optional)", html_for=SPLIT_COL, className="small"),
                                    dcc.Dropdown(id=SPLIT_COL),
                                ],
                                md=4,
                            ),
                        ],
                        className="g-2 mt-1",
                    ),
                    dbc.Row(
                        [
                            dbc.Col(
                                [
                                    dbc.Label("Id column (optional)", html_for=ID_COL, className="small"),
                                    dcc.Dropdown(id=ID_COL),
                                ],
                                md=6,
                            ),
                            dbc.Col(
                                [
                                    dbc.Label("Time column (optional)", html_for=TIME_COL, className="small"),
                                    dcc.Dropdown(id=TIME_COL),
                                ],
                                md=6,
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
            html.Div(outage, id=MESSAGE, className="mt-2", role="status"),
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
                            dbc.Label("weighting", html_for=WEIGHTING, className="small"),
                            dbc.Select(id=WEIGHTING, options=["tfidf", "counts"], value="tfidf", size="sm"),
                        ],
                        width=4,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("n-grams", html_for=NGRAMS, className="small"),
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
                    html.Span(
                        [
                            dbc.Button("Retrain", id=RETRAIN, color="primary", size="sm", className="me-2"),
                            dbc.Button(
                                "Stop",
                                id=CANCEL,
                                color="secondary",
                                size="sm",
                                outline=True,
                                className="me-2",
                                disabled=True,
                            ),
                            dbc.Button(
                                "Undo last correction" if can("admin") else "Undo my last correction",
                                id=UNDO,
                                size="sm",
                                outline=True,
                                color="secondary",
                                className="me-2",
                            ),
                        ],
                        hidden=viewer,
                    ),
                    dbc.Button("Export corrected CSV", id=EXPORT, size="sm", outline=True, color="secondary"),
                ],
                className="mt-2",
            ),
            # Names the bar (glassbox.js passes the text on: dbc.Progress takes no aria props).
            dbc.Label("Retraining progress", html_for=PROGRESS, className="visually-hidden"),
            dbc.Progress(id=PROGRESS, value=0, label="", className="mt-2", style={"height": "1.1rem"}),
            job_watch_layout(RETRAIN_WATCH, "retrain"),
            html.Div(id=CHANGES, className="small mt-2"),
            html.Div(
                [
                    html.Span(id=RUN_SHARE_NOTE, className="small text-body-secondary", role="status"),
                    dbc.Button(
                        "Share this run", id=RUN_SHARE, size="sm", outline=True, color="secondary", disabled=True
                    ),
                ],
                className="d-none" if viewer else "mt-2 d-flex flex-wrap align-items-center gap-2",
                hidden=viewer,
            ),
        ],
    )
    first_panel = html.Div(
        [
            html.Div("Training this dataset's first model; the views appear when it is ready.", className="small"),
            html.Div(id=FIRST_STATUS, className="fw-semibold"),
            dbc.Label("First model's training progress", html_for=FIRST_PROGRESS, className="visually-hidden"),
            dbc.Progress(id=FIRST_PROGRESS, value=5, striped=True, animated=True, className="mt-1"),
        ],
        id=FIRST_PANEL,
        hidden=True,
        role="status",
        className="my-2",
    )
    return html.Div(
        [
            html.H1("Sentiment", className="h3", id=TITLE),
            html.P(
                "A bag-of-words one-vs-rest logistic regression of financial tweets. Click a confusion cell, lasso "
                "points in the triangle, click a tweet to see why, relabel what the taggers got wrong, retrain.",
                className="text-body-secondary",
            ),
            first_panel,
            dbc.Row(
                [
                    dbc.Col(data_card, lg=5),
                    dbc.Col(model_card, lg=4),
                    dbc.Col(_card("Metrics", [html.Div(id=METRICS)]), lg=3),
                ],
                className="g-3",
            ),
            dbc.Tabs(
                [
                    dbc.Tab(
                        html.P(
                            "Explore the model below; the Label tab shows one unlabelled text at a time.",
                            className="small text-body-secondary my-2",
                        ),
                        label="Explore",
                        tab_id="explore",
                    ),
                    dbc.Tab(queue_panel(viewer), label="Label", tab_id="label"),
                ],
                id=MODE_TABS,
                active_tab="explore",
                className="mt-3",
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
                            dbc.Switch(
                                id=SHOW_UNLABELLED,
                                label="show unlabelled rows in the triangle",
                                value=True,
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
            times_section(),
            dbc.Row(
                [
                    dbc.Col(html.Div(id=COUNT, className="fw-semibold"), md="auto", className="me-auto"),
                    dbc.Col(
                        dbc.Button("Whole split", id=SHOW_ALL, size="sm", outline=True, color="secondary"), md="auto"
                    ),
                    dbc.Col(
                        dbc.InputGroup(
                            [
                                html.Label("relabel as", htmlFor=RELABEL_TO, className="input-group-text"),
                                dbc.Select(id=RELABEL_TO, options=list(LABELS), value="neutral"),
                                dbc.Button("0 checked rows", id=RELABEL_ROWS, outline=True, color="primary"),
                                dbc.Button("whole selection", id=RELABEL_ALL, outline=True, color="warning"),
                            ],
                            size="sm",
                        ),
                        md="auto",
                        className="d-none" if viewer else "",
                    ),
                ],
                className="g-2 mt-2 align-items-center",
            ),
            tweet_grid(),
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
            dbc.Modal(
                [
                    dbc.ModalHeader(dbc.ModalTitle("Relabel many tweets?")),
                    dbc.ModalBody(id=CONFIRM_TEXT),
                    dbc.ModalFooter(
                        [
                            dbc.Button("Cancel", id=CONFIRM_NO, color="secondary", outline=True),
                            dbc.Button("Relabel them", id=CONFIRM_YES, color="warning"),
                        ]
                    ),
                ],
                id=CONFIRM,
                is_open=False,
            ),
            dcc.Store(id=PENDING),
            dcc.Store(id=FIRST),
            dcc.Store(id=REJECTED),
            dcc.Store(id=RUN),
            dcc.Store(id=CELL),
            dcc.Store(id=LASSO),
            dcc.Store(id=TWEET),
            dcc.Store(id=REVISION, data=0),
            dcc.Download(id=DOWNLOAD),
            dcc.Download(id=TIMES_DOWNLOAD),
        ]
    )


def times_section():
    """Sentiment over time by ticker: tickers to draw, day or hour, export, the figure and what it covers."""
    card = _card(
        "Sentiment over time, by ticker",
        [
            dbc.Row(
                [
                    dbc.Col(
                        [
                            # A checklist, not a multi-select dropdown: Dash's multi dropdown names its button
                            # "N selected" apart from the text it shows, which axe flags (label-content mismatch).
                            html.Div("Tickers (tweets)", className="small form-label", id=TICKERS + "-label"),
                            html.Div(
                                dbc.Checklist(
                                    id=TICKERS, options=[], value=[], inline=True, className="small", name=TICKERS
                                ),
                                role="group",
                                **{"aria-labelledby": TICKERS + "-label"},
                            ),
                        ],
                        md=7,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Per", html_for=FREQ, className="small"),
                            dbc.RadioItems(
                                id=FREQ,
                                options=[{"label": "day", "value": "D"}, {"label": "hour", "value": "h"}],
                                value="D",
                                inline=True,
                                className="small",
                            ),
                        ],
                        md=3,
                    ),
                    dbc.Col(
                        dbc.Button("Export series CSV", id=TIMES_EXPORT, size="sm", outline=True, color="secondary"),
                        md=2,
                        className="align-self-end",
                    ),
                ],
                className="g-2",
            ),
            html.Div(id=TIMES_NOTE, className="small text-body-secondary mt-1", role="status"),
            dcc.Graph(id=TIMES, figure=BLANK, style={"height": "380px"}, config={"displaylogo": False}),
        ],
        card_id=TIMES + "-card",
    )
    return html.Div(card, className="mt-3")
