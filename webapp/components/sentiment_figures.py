"""Figure builders for the sentiment page: scores in, ``go.Figure`` out. Nothing here fits or filters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from models.sentiment.labels import LABELS
from models.sentiment.model import Explanation

COLOURS = {"negative": "#dc3545", "neutral": "#adb5bd", "positive": "#20c997"}
# Unlabelled rows: a colour no class uses, drawn as open circles so they never read as the grey neutral class.
UNLABELLED_COLOUR = "#6f8fb3"
H = np.sqrt(3) / 2
# Corners of the probability triangle: a point sits at the probability-weighted mean of these.
CORNERS = {"negative": (0.0, 0.0), "neutral": (0.5, H), "positive": (1.0, 0.0)}
MARGIN = dict(l=10, r=10, t=40, b=10)


def barycentric(proba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x, y of each row of (negative, neutral, positive) probabilities inside the triangle."""
    corners = np.array([CORNERS[label] for label in LABELS])
    xy = np.asarray(proba) @ corners
    return xy[:, 0], xy[:, 1]


def _regions() -> list[go.Scatter]:
    """The three decision regions: where each class has the largest probability."""
    centre = np.mean([CORNERS[label] for label in LABELS], axis=0)
    traces = []
    for label in LABELS:
        corner = np.array(CORNERS[label])
        others = [np.array(CORNERS[o]) for o in LABELS if o != label]
        a, b = (corner + others[0]) / 2, (corner + others[1]) / 2
        polygon = np.array([corner, a, centre, b, corner])
        traces.append(
            go.Scatter(
                x=polygon[:, 0],
                y=polygon[:, 1],
                mode="lines",
                fill="toself",
                line=dict(width=0.5, color=COLOURS[label]),
                fillcolor=COLOURS[label],
                opacity=0.12,
                hoverinfo="skip",
                showlegend=False,
                name=f"{label} region",
            )
        )
    return traces


def triangle_figure(
    scores: pd.DataFrame,
    labels: np.ndarray,
    title: str,
    selected: list[int] | None = None,
    show_unlabelled: bool = True,
) -> go.Figure:
    """Each row a point placed by its three probabilities, coloured by its (current) label.

    Args:
        scores: Rows of a run's scores (``row``, ``text``, ``p_*``, ``predicted``).
        labels: Their current class indices (negative: unlabelled, one trace of open circles).
        show_unlabelled: Draw the unlabelled rows (False: leave them out).
        selected: Rows the user lassoed before the figure was redrawn (a retrain, a relabel): drawn as selected
            (``selectedpoints``), so the lasso survives the redraw; None for no selection.
    """
    figure = go.Figure(_regions())
    x, y = barycentric(scores[["p_negative", "p_neutral", "p_positive"]].to_numpy())
    short = scores["text"].str.slice(0, 120).str.replace("<", "&lt;")
    predicted = np.asarray(LABELS, dtype=object)[scores["predicted"].to_numpy()]
    groups = [(k, f"actual {label}", COLOURS[label], "circle") for k, label in enumerate(LABELS)]
    if show_unlabelled and np.any(labels < 0):
        groups.append((-1, "unlabelled", UNLABELLED_COLOUR, "circle-open"))
    for k, name, colour, symbol in groups:
        label = LABELS[k] if k >= 0 else "unlabelled"
        mine = np.flatnonzero(labels == k) if k >= 0 else np.flatnonzero(labels < 0)
        kept = None if selected is None else np.flatnonzero(np.isin(scores["row"].to_numpy()[mine], selected))
        figure.add_trace(
            go.Scattergl(
                x=x[mine],
                y=y[mine],
                mode="markers",
                name=name,
                marker=dict(
                    color=colour, symbol=symbol, size=7, opacity=0.8, line=dict(width=0.5, color="rgba(0,0,0,0.4)")
                ),
                customdata=np.column_stack([scores["row"].to_numpy()[mine], predicted[mine]]),
                selectedpoints=None if kept is None else kept.tolist(),
                text=short.to_numpy()[mine],
                hovertemplate="%{text}<br>"
                + (f"actual {label}" if k >= 0 else "unlabelled")
                + ", predicted %{customdata[1]}<extra>row %{customdata[0]}</extra>",
            )
        )
    for label, (cx, cy) in CORNERS.items():
        figure.add_annotation(
            x=cx,
            y=cy,
            text=f"<b>{label}</b>",
            showarrow=False,
            yshift=12 if cy > 0 else -12,
            font=dict(color=COLOURS[label]),
        )
    figure.update_layout(
        title=dict(text=title, font=dict(size=14)),
        xaxis=dict(visible=False, range=[-0.05, 1.05], fixedrange=False),
        yaxis=dict(visible=False, range=[-0.08, H + 0.08], scaleanchor="x"),
        margin=MARGIN,
        dragmode="lasso",
        clickmode="event+select",
        legend=dict(orientation="h", y=-0.02),
        uirevision="triangle",
    )
    return figure


def probability_pie(proba: np.ndarray, text: str) -> go.Figure:
    """One tweet's three probabilities; a slice click picks the binary model to explain."""
    short = text if len(text) <= 70 else text[:67] + "…"
    figure = go.Figure(
        go.Pie(
            labels=list(LABELS),
            values=list(np.asarray(proba, dtype=float)),
            sort=False,
            hole=0.35,
            marker=dict(colors=[COLOURS[label] for label in LABELS]),
            textinfo="percent",
            textposition="inside",
            insidetextorientation="horizontal",
            hovertemplate="%{label}: %{value:.3f}<extra>click to explain</extra>",
        )
    )
    figure.update_layout(
        title=dict(text=short.replace("<", "&lt;"), font=dict(size=12)),
        margin=dict(l=10, r=10, t=50, b=10),
        showlegend=True,
        legend=dict(orientation="h", y=-0.05),
        uniformtext=dict(minsize=10, mode="hide"),
    )
    return figure


def explanation_figure(explanation: Explanation, max_tokens: int = 25) -> go.Figure:
    """Each n-gram's coefficient and contribution in one binary model (unseen n-grams marked)."""
    tokens = explanation.tokens.copy()
    tokens["weight"] = tokens["contribution"].abs()
    tokens = tokens.sort_values(["weight", "seen"], ascending=[False, False]).head(max_tokens).iloc[::-1]
    names = np.where(tokens["seen"], tokens["token"], tokens["token"] + " (unseen)")
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            y=names,
            x=tokens["contribution"],
            orientation="h",
            name="contribution (coef × value)",
            marker_color=np.where(tokens["contribution"] >= 0, COLOURS["positive"], COLOURS["negative"]).tolist(),
            customdata=np.column_stack([tokens["coefficient"], tokens["value"]]),
            hovertemplate="%{y}<br>contribution %{x:.3f}<br>coefficient %{customdata[0]:.3f} × value %{customdata[1]:.3f}<extra></extra>",
        )
    )
    figure.add_trace(
        go.Bar(
            y=names,
            x=tokens["coefficient"],
            orientation="h",
            name="coefficient",
            marker_color="rgba(13,110,253,0.45)",
            hovertemplate="%{y}<br>coefficient %{x:.3f}<extra></extra>",
        )
    )
    figure.update_layout(
        title=dict(
            text=(
                f"{explanation.label} vs rest: log-odds {explanation.logit:+.2f} = intercept "
                f"{explanation.intercept:+.2f} + Σ contributions"
            ),
            font=dict(size=13),
        ),
        barmode="group",
        margin=dict(l=10, r=10, t=40, b=30),
        height=max(260, 24 * len(tokens) + 90),
        legend=dict(orientation="h", y=-0.08),
        yaxis=dict(automargin=True),
    )
    return figure


def learning_curve_figure(points: list[dict]) -> go.Figure:
    """Test macro-F1 of each model run against the labels it was trained and measured with.

    Args:
        points: ``models.sentiment.queue.learning_curve`` output (``run``, ``labelled``, ``macro_f1``, ``test_rows``).
    """
    if not points:
        return empty_figure("The learning curve starts with the first model")
    figure = go.Figure(
        go.Scatter(
            x=[p["labelled"] for p in points],
            y=[p["macro_f1"] for p in points],
            mode="lines+markers",
            name="test macro-F1",
            customdata=[[p["run"], p["test_rows"]] for p in points],
            hovertemplate="%{x:,} labels: macro-F1 %{y:.3f}<extra>run %{customdata[0]}, "
            "%{customdata[1]:,} labelled test rows</extra>",
        )
    )
    figure.update_layout(
        title=dict(text="Learning curve: labelled test macro-F1 against labels given", font=dict(size=13)),
        # counts: whole ticks (Plotly would mark 45.5 between two close runs)
        xaxis=dict(title="labelled rows", tickformat=",d", **_whole_ticks([p["labelled"] for p in points])),
        yaxis=dict(title="macro-F1", rangemode="tozero"),
        margin=dict(l=10, r=10, t=40, b=40),
    )
    return figure


def empty_figure(message: str) -> go.Figure:
    figure = go.Figure()
    figure.update_layout(
        xaxis=dict(visible=False),
        yaxis=dict(visible=False),
        margin=MARGIN,
        annotations=[dict(text=message, showarrow=False, font=dict(size=13))],
    )
    return figure


def _whole_ticks(values: list) -> dict:
    """A tick per whole number when the axis spans only a few (Plotly's auto ticks would add halves)."""
    span = (max(values) - min(values)) if values else 0
    return {"dtick": 1} if span <= 10 else {}
