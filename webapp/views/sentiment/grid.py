"""The table of the selected tweets: AG Grid with checkboxes, pages of 50, most suspicious label first."""

from __future__ import annotations

import dash_ag_grid as dag

from webapp.views.sentiment.ids import TABLE

GRID_COLUMNS = [
    # The file's own id column when the upload named one, else the row number; ``row`` stays the key (getRowId).
    {"field": "id", "minWidth": 90, "maxWidth": 180, "tooltipField": "id"},
    {"field": "text", "flex": 4, "minWidth": 300, "tooltipField": "text"},
    {"field": "actual", "minWidth": 105, "maxWidth": 120},
    {"field": "predicted", "minWidth": 125, "maxWidth": 135},
    {"field": "p_negative", "headerName": "p(neg)", "minWidth": 100, "maxWidth": 110, "filter": "agNumberColumnFilter"},
    {"field": "p_neutral", "headerName": "p(neu)", "minWidth": 100, "maxWidth": 110, "filter": "agNumberColumnFilter"},
    {"field": "p_positive", "headerName": "p(pos)", "minWidth": 100, "maxWidth": 110, "filter": "agNumberColumnFilter"},
    {
        "field": "issue_score",
        "headerName": "label issue",
        "minWidth": 140,
        "maxWidth": 150,
        "filter": "agNumberColumnFilter",
        "sort": "desc",
    },
    {"field": "suggested", "minWidth": 125, "maxWidth": 135},
    {"field": "corrected", "minWidth": 125, "maxWidth": 135},
]


def tweet_grid() -> dag.AgGrid:
    return dag.AgGrid(
        id=TABLE,
        columnDefs=GRID_COLUMNS,
        rowData=[],
        # Headers wrap instead of being cut ("label issue", "suggested", "corrected" in narrow columns).
        defaultColDef={
            "sortable": True,
            "filter": True,
            "resizable": True,
            "flex": 1,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
        },
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
        getRowId="'' + params.data.row",  # AG Grid wants a string id (its expression evaluator knows no String())
        className="mt-2",
        style={"height": "420px"},
    )
