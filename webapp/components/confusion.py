"""A clickable confusion matrix, shared by the sentiment page and the NN builder's diagnostics."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go


def confusion_figure(
    matrix, labels, title: str = "Confusion matrix — click a cell", selected: tuple[int, int] | None = None
) -> go.Figure:
    """Actual (rows, top to bottom) × predicted (columns), each cell with its count and row share.

    A click's ``customdata`` is ``[actual_index, predicted_index, count]``. ``selected`` outlines a cell.
    """
    matrix = np.asarray(matrix, dtype=np.int64)
    totals = matrix.sum(axis=1, keepdims=True)
    share = np.divide(matrix, totals, out=np.zeros(matrix.shape), where=totals > 0)
    k = len(labels)
    actual, predicted = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    text = [[f"{matrix[i, j]:,}<br>{share[i, j]:.0%}" for j in range(k)] for i in range(k)]
    figure = go.Figure(
        go.Heatmap(
            z=share,
            x=list(labels),
            y=list(labels),
            text=text,
            texttemplate="%{text}",
            customdata=np.dstack([actual, predicted, matrix]),
            hovertemplate="actual %{y}, predicted %{x}<br>%{customdata[2]} rows (%{z:.1%} of actual)<extra></extra>",
            colorscale="Blues",
            zmin=0,
            zmax=1,
            showscale=False,
            xgap=2,
            ygap=2,
        )
    )
    figure.update_layout(
        title=dict(text=title, font=dict(size=14)),
        xaxis=dict(title="predicted", side="bottom", fixedrange=True),
        yaxis=dict(title="actual", autorange="reversed", fixedrange=True),
        margin=dict(l=70, r=10, t=40, b=50),
        clickmode="event",
    )
    if selected is not None:
        i, j = selected
        figure.add_shape(
            type="rect",
            x0=j - 0.5,
            x1=j + 0.5,
            y0=i - 0.5,
            y1=i + 0.5,
            line=dict(color="#fd7e14", width=3),
            xref="x",
            yref="y",
        )
    return figure
