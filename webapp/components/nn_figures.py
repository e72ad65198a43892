"""Figures of the NN Builder: the network drawing, live training curves, layer histograms, diagnostics, run overlays.

Builders take plain data (spec layers, per-epoch metric dicts, monitor records) and return a ``go.Figure``;
nothing here trains or loads anything.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

# Trace order of ``curves_figure``; the page appends to these by index, so it must not change.
CURVES = (
    ("loss", "train loss", 1),
    ("val_loss", "validation loss", 1),
    ("metric", "train {m}", 2),
    ("val_metric", "validation {m}", 2),
)
_COLOURS = {"loss": "#0d6efd", "val_loss": "#fd7e14", "metric": "#0d6efd", "val_metric": "#fd7e14"}
MAX_DRAWN_UNITS = 12


def network_figure(n_inputs: int, layers: list[dict], n_outputs: int, output_activation: str) -> go.Figure:
    """The network as columns of nodes joined by lines: inputs, each hidden layer, outputs.

    Args:
        layers: Spec layers (``units``, ``activation``, ``batch_norm``, ``dropout``); units that are not
            positive whole numbers are drawn as one node so a half-typed table still draws.
    """
    columns = [(max(int(n_inputs or 1), 1), "inputs", f"{n_inputs} inputs")]
    for k, layer in enumerate(layers, 1):
        units = layer.get("units")
        units = int(units) if isinstance(units, (int, float)) and units >= 1 else 1
        extras = (" · BN" if layer.get("batch_norm") else "") + (
            f" · drop {layer['dropout']:g}" if layer.get("dropout") else ""
        )
        columns.append((units, f"dense_{k}", f"{units} {layer.get('activation')}{extras}"))
    columns.append((max(int(n_outputs or 1), 1), "output", f"{n_outputs} {output_activation}"))

    xs, ys, edge_x, edge_y, previous = [], [], [], [], None
    for col, (units, _, _) in enumerate(columns):
        shown = min(units, MAX_DRAWN_UNITS)
        positions = np.linspace(-(shown - 1) / 2, (shown - 1) / 2, shown) if shown > 1 else np.zeros(1)
        if previous is not None:
            for y0 in previous:
                for y1 in positions:
                    edge_x += [col - 1, col, None]
                    edge_y += [y0, y1, None]
        xs += [col] * shown
        ys += positions.tolist()
        previous = positions
    figure = go.Figure(
        [
            go.Scatter(
                x=edge_x, y=edge_y, mode="lines", line=dict(width=0.5, color="rgba(128,128,128,0.35)"), hoverinfo="skip"
            ),
            go.Scatter(
                x=xs,
                y=ys,
                mode="markers",
                marker=dict(size=11, color="#0d6efd", line=dict(width=1, color="white")),
                hoverinfo="skip",
            ),
        ]
    )
    top = (MAX_DRAWN_UNITS - 1) / 2 + 1
    for col, (units, name, label) in enumerate(columns):
        more = f" (+{units - MAX_DRAWN_UNITS} more)" if units > MAX_DRAWN_UNITS else ""
        figure.add_annotation(
            x=col, y=top, text=f"<b>{name}</b><br>{label}{more}", showarrow=False, yanchor="bottom", font=dict(size=11)
        )
    figure.update_layout(
        showlegend=False,
        margin=dict(l=10, r=10, t=10, b=10),
        xaxis=dict(visible=False, range=[-0.5, len(columns) - 0.5]),
        yaxis=dict(visible=False, range=[-top, top + 1.6]),
    )
    return figure


def curves_figure(epochs: list[dict], metric: str) -> go.Figure:
    """Loss (top) and metric (bottom) per epoch, train and validation; four traces in ``CURVES`` order."""
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, subplot_titles=("loss", metric))
    for key, name, row in CURVES:
        figure.add_trace(
            go.Scatter(
                x=[e["epoch"] for e in epochs],
                y=[e.get(key) for e in epochs],
                name=name.format(m=metric),
                mode="lines+markers",
                line=dict(color=_COLOURS[key], dash="dot" if key.startswith("val") else "solid"),
                legendgroup=key,
            ),
            row=row,
            col=1,
        )
    figure.update_layout(
        margin=dict(l=50, r=10, t=60, b=40), legend=dict(orientation="h", y=-0.12), uirevision="curves"
    )
    figure.update_xaxes(title_text="epoch", row=2, col=1)
    return figure


def curve_points(epochs: list[dict]) -> tuple[list[int], list[list]]:
    """The x values and, per ``CURVES`` trace, the y values to append for these epochs."""
    return [e["epoch"] for e in epochs], [[e.get(key) for e in epochs] for key, _, _ in CURVES]


def _bars(hist: dict, colour: str) -> go.Bar:
    edges = np.asarray(hist["edges"], dtype=float)
    return go.Bar(
        x=((edges[:-1] + edges[1:]) / 2).tolist(),
        y=hist["counts"],
        width=np.diff(edges).tolist(),
        marker=dict(color=colour, line=dict(width=0)),
        showlegend=False,
        hovertemplate="%{x:.3g}: %{y}<extra></extra>",
    )


def histograms_figure(layers: list[dict], epoch: int) -> go.Figure:
    """Weights, biases and activations (columns) of every layer (rows) at one epoch (monitor ``layers`` records)."""
    kinds = (("weights", "#0d6efd"), ("biases", "#6f42c1"), ("activations", "#20c997"))
    titles = [
        f"{layer['name']} {kind}" + (f" ({layer['activation']})" if kind == "activations" else "")
        for layer in layers
        for kind, _ in kinds
    ]
    figure = make_subplots(
        rows=max(len(layers), 1),
        cols=3,
        subplot_titles=titles or None,
        vertical_spacing=0.12 / max(len(layers), 1) + 0.04,
    )
    for row, layer in enumerate(layers, 1):
        for col, (kind, colour) in enumerate(kinds, 1):
            hist = layer.get(kind)
            if hist and hist.get("counts"):
                figure.add_trace(_bars(hist, colour), row=row, col=col)
    figure.update_layout(
        bargap=0,
        margin=dict(l=40, r=10, t=50, b=30),
        height=max(220 * len(layers), 260),
        title=dict(text=f"epoch {epoch}", font=dict(size=13)),
    )
    figure.update_annotations(font_size=11)
    return figure


def predicted_actual_figure(actual, predicted) -> go.Figure:
    """Validation rows: predicted against actual, with the diagonal a perfect model would sit on."""
    actual, predicted = np.asarray(actual, float), np.asarray(predicted, float)
    low, high = float(min(actual.min(), predicted.min())), float(max(actual.max(), predicted.max()))
    figure = go.Figure(
        [
            go.Scattergl(
                x=actual,
                y=predicted,
                mode="markers",
                marker=dict(size=4, opacity=0.5),
                name="rows",
                hovertemplate="actual %{x:.4g}<br>predicted %{y:.4g}<extra></extra>",
            ),
            go.Scatter(
                x=[low, high], y=[low, high], mode="lines", line=dict(dash="dash", color="#fd7e14"), name="perfect"
            ),
        ]
    )
    figure.update_layout(
        title=dict(text="Predicted vs actual (validation rows)", font=dict(size=14)),
        showlegend=False,
        xaxis_title="actual",
        yaxis_title="predicted",
        margin=dict(l=60, r=10, t=40, b=50),
    )
    return figure


def residuals_figure(predicted, residual) -> go.Figure:
    """Validation rows: residual (actual − predicted) against predicted, around a zero line."""
    figure = go.Figure(
        go.Scattergl(
            x=np.asarray(predicted, float),
            y=np.asarray(residual, float),
            mode="markers",
            marker=dict(size=4, opacity=0.5, color="#6f42c1"),
            hovertemplate="predicted %{x:.4g}<br>residual %{y:.4g}<extra></extra>",
        )
    )
    figure.add_hline(y=0, line=dict(dash="dash", color="#fd7e14"))
    figure.update_layout(
        title=dict(text="Residuals vs predicted (validation rows)", font=dict(size=14)),
        xaxis_title="predicted",
        yaxis_title="actual − predicted",
        margin=dict(l=60, r=10, t=40, b=50),
    )
    return figure


def overlay_figure(runs: list[dict], log: bool = True) -> go.Figure:
    """Train (solid) and validation (dotted) loss of several runs, one colour per run.

    Args:
        runs: Stored runs (``id``, ``epochs`` per-epoch metric dicts, ``spec``).
        log: A logarithmic loss axis (the first epochs' losses flatten the rest on a linear one).
    """
    palette = ("#0d6efd", "#fd7e14", "#20c997", "#d63384", "#6f42c1", "#ffc107")
    figure = go.Figure()
    for k, run in enumerate(runs):
        colour = palette[k % len(palette)]
        x = [e["epoch"] for e in run["epochs"]]
        for key, dash in (("loss", "solid"), ("val_loss", "dot")):
            figure.add_trace(
                go.Scatter(
                    x=x,
                    y=[e.get(key) for e in run["epochs"]],
                    mode="lines+markers",
                    name=f"run #{run['id']} {key.replace('_', ' ')}",
                    line=dict(color=colour, dash=dash),
                )
            )
    figure.update_layout(
        title=dict(
            text="Loss of the checked runs" if runs else "Check runs in the table to overlay their loss",
            font=dict(size=14),
        ),
        xaxis_title="epoch",
        yaxis_title="loss (log scale)" if log else "loss",
        yaxis_type="log" if log else "linear",
        margin=dict(l=60, r=10, t=40, b=50),
    )
    return figure
