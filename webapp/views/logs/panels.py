"""The logs page's panels other than charts: stat cards, the period comparison, filter chips."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from models.logs import view as views
from models.logs.aggregate import Filters
from webapp.views.logs import ids


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


def stat_cards(now: dict, before: dict | None) -> list:
    """Events, error rates and bytes of the view, against the previous period when there is one."""
    before = before or {}
    return [
        _stat_card(
            "Events", f"{now['events']:,}", views.delta_text(now["events"], before.get("events")), ids.STAT_EVENTS
        ),
        _stat_card(
            "Error rate (4xx+5xx)",
            f"{now['error_rate']:.1%}",
            f"was {before['error_rate']:.1%}" if before else "",
            ids.STAT_ERRORS,
        ),
        _stat_card(
            "Server errors (5xx)",
            f"{now['server_error_rate']:.1%}",
            f"was {before['server_error_rate']:.1%}" if before else "",
            ids.STAT_5XX,
        ),
        _stat_card(
            "Bytes sent",
            f"{now['bytes'] / 2**20:,.1f} MiB",
            views.delta_text(now["bytes"], before.get("bytes")),
            ids.STAT_BYTES,
        ),
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


def compare_card(data: dict) -> dbc.Card:
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
                html.P(note, className="small", id=ids.COMPARE_NOTE),
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
                    id=ids.COMPARE_TABLE,
                ),
            ]
        )
    )
