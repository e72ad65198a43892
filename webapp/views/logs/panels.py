"""The logs page's panels other than charts: stat cards, the period comparison, filter chips.

The stat cards and the comparison table stand in the layout (``stats_layout``, ``compare_layout``); a drawing
sets only their texts (``stat_texts``, ``compare_texts``, in the order of ``STAT_OUTPUTS`` and
``COMPARE_OUTPUTS``). New components for them on every click cost the page ~50 component mounts, each one a
store update that every component on the page checks (Dash's renderer): a fifth of a click's browser time.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Output, html

from models.logs import view as views
from models.logs.aggregate import Filters
from webapp.views.logs import ids

STAT_TITLES = ("Events", "Error rate (4xx+5xx)", "Server errors (5xx)", "Bytes sent")
# The texts a drawing sets: each card's value and its line about the previous period; the comparison's note
# and its table's cells, row by row.
STAT_OUTPUTS = [
    Output(element, "children") for pair in zip(ids.STAT_VALUES, ids.STAT_PREVIOUS, strict=True) for element in pair
]
COMPARE_OUTPUTS = [Output(ids.COMPARE_NOTE, "children"), *(Output(cell, "children") for cell in ids.COMPARE_CELLS)]


def _stat_card(title: str, value_id: str, previous_id: str) -> dbc.Col:
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    html.Div(title, className="text-body-secondary small"),
                    html.Div(className="h4 mb-0", id=value_id),
                    html.Div(className="small text-body-secondary", id=previous_id),
                ]
            )
        ),
        md=3,
    )


def stats_layout() -> list:
    """The four stat cards, empty until the page draws (``stat_texts``)."""
    return [
        _stat_card(title, value, previous)
        for title, value, previous in zip(STAT_TITLES, ids.STAT_VALUES, ids.STAT_PREVIOUS, strict=True)
    ]


def stat_texts(now: dict, before: dict | None) -> list[str]:
    """Events, error rates and bytes of the view, each against the previous period when there is one
    (``STAT_OUTPUTS`` order: value, then previous, per card)."""
    before = before or {}
    return [
        f"{now['events']:,}",
        views.delta_text(now["events"], before.get("events")),
        f"{now['error_rate']:.1%}",
        f"was {before['error_rate']:.1%}" if before else "",
        f"{now['server_error_rate']:.1%}",
        f"was {before['server_error_rate']:.1%}" if before else "",
        f"{now['bytes'] / 2**20:,.1f} MiB",
        views.delta_text(now["bytes"], before.get("bytes")),
    ]


def chips(filters: Filters) -> list:
    """One removable pill per active filter."""
    return [
        dbc.Button(
            [text, " ×"],
            id={"type": ids.CHIP_TYPE, "dim": dim, "value": value},
            size="sm",
            color="primary",
            class_name="me-1 mb-1 rounded-pill",
        )
        for dim, value, text in views.chips(filters)
    ]


def compare_layout() -> dbc.Card:
    """The period comparison: a note and a table whose cells the page fills (``compare_texts``)."""
    cells = iter(ids.COMPARE_CELLS)
    return dbc.Card(
        dbc.CardBody(
            [
                html.H3("Period comparison", className="h6"),
                html.P(className="small", id=ids.COMPARE_NOTE),
                dbc.Table(
                    [
                        html.Thead(html.Tr([html.Th(""), html.Th("selected"), html.Th("previous")])),
                        html.Tbody(
                            [
                                html.Tr([html.Td(name), html.Td(id=next(cells)), html.Td(id=next(cells))])
                                for name in ids.COMPARE_ROWS
                            ]
                        ),
                    ],
                    size="sm",
                    id=ids.COMPARE_TABLE,
                ),
            ]
        )
    )


def compare_texts(data: dict) -> list[str]:
    """The selected range against the period of equal length before it; "—" where there is none
    (``COMPARE_OUTPUTS`` order: the note, then each row's selected and previous)."""
    now, before = data["stats"], data["previous"]
    start, end = (pd.Timestamp(v, unit="s").strftime("%Y-%m-%d %H:%M") for v in data["range"])
    length = data["range"][1] - data["range"][0]

    def was(text):
        return text if before is not None else "—"

    rows = [
        (f"{now['events']:,}", was(before and f"{before['events']:,}")),
        (f"{now['errors']:,}", was(before and f"{before['errors']:,}")),
        (f"{now['server_errors']:,}", was(before and f"{before['server_errors']:,}")),
        (f"{now['bytes'] / 2**20:,.1f}", was(before and f"{before['bytes'] / 2**20:,.1f}")),
    ]
    if before is None:
        note = "Drag across the time series to compare an interval with the period of equal length before it."
    else:
        note = f"{start} → {end} against the {pd.Timedelta(seconds=length)} before it."
    return [note, *(text for row in rows for text in row)]
