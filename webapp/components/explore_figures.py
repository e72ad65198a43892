"""Figure builders for the Explore page: numbers in, ``go.Figure`` out. Fits and statistics come from
``models.explore``; nothing here fits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from models.explore.kernel import KernelFit

MARGIN = dict(l=40, r=10, t=50, b=40)
# The kernel plot's click catcher: a transparent grid over the plot, so a click anywhere reports x and y.
CATCH_X, CATCH_Y = np.linspace(-2, 12, 141), np.linspace(-4, 4, 81)
KERNEL_X_RANGE, KERNEL_Y_RANGE = (-2, 12), (-4, 4)
POINT, PICKED = "#0d6efd", "#fd7e14"
RISING, FALLING = "#20c997", "#dc3545"


def normal_figure(mu: float, sigma: float) -> go.Figure:
    """The N(mu, sigma) density on [-10, 10] (the page redraws it in the browser; this is its first state)."""
    x = np.linspace(-10, 10, 401)
    y = np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))
    figure = go.Figure(go.Scatter(x=x, y=y, mode="lines", fill="tozeroy", name="density"))
    figure.update_layout(
        title=dict(text=f"N(mu={mu:g}, sigma={sigma:g})"),
        margin=MARGIN,
        yaxis=dict(range=[0, 1.05]),
        xaxis=dict(range=[-10, 10]),
        showlegend=False,
    )
    return figure


def kernel_figure(
    x: np.ndarray,
    y: np.ndarray,
    order: int,
    selected: int | None = None,
    fit: KernelFit | None = None,
    show_sd: bool = True,
    test_x: float | None = None,
    kernel: np.ndarray | None = None,
) -> go.Figure:
    """The points (the picked-up one in orange), the fit with its ±1 sd band, and the kernel at a test point.

    Traces, in order: the invisible click catcher, the points, then (with a fit) the sd band when shown, the fit
    line and the kernel weights ``kernel`` over ``fit.x``, drawn along the bottom.
    """
    figure = go.Figure()
    figure.add_trace(
        go.Heatmap(
            x=CATCH_X,
            y=CATCH_Y,
            z=np.zeros((len(CATCH_Y), len(CATCH_X))),
            opacity=0,
            showscale=False,
            hovertemplate="click to add or move a point here<br>(%{x:.1f}, %{y:.1f})<extra></extra>",
        )
    )
    colours = [PICKED if i == selected else POINT for i in range(len(x))]
    figure.add_trace(
        go.Scatter(
            x=x,
            y=y,
            mode="markers",
            name="points",
            marker=dict(size=9, color=colours, line=dict(width=1, color="white")),
        )
    )
    if fit is not None:
        if show_sd:
            figure.add_trace(
                go.Scatter(
                    x=np.r_[fit.x, fit.x[::-1]],
                    y=np.r_[fit.fit + fit.sd, (fit.fit - fit.sd)[::-1]],
                    fill="toself",
                    mode="lines",
                    line=dict(width=0),
                    fillcolor="rgba(32,201,151,0.18)",
                    name="±1 sd",
                    hoverinfo="skip",
                )
            )
        figure.add_trace(go.Scatter(x=fit.x, y=fit.fit, mode="lines", name="fit", line=dict(color=RISING, width=3)))
        if kernel is not None:
            figure.add_trace(
                go.Scatter(
                    x=fit.x,
                    y=KERNEL_Y_RANGE[0] + 0.2 + 1.5 * np.asarray(kernel),
                    mode="lines",
                    name=f"kernel at x={test_x:g}",
                    line=dict(color="#ffc107", dash="dot"),
                    hoverinfo="skip",
                )
            )
    figure.update_layout(
        margin=MARGIN,
        xaxis=dict(range=list(KERNEL_X_RANGE), fixedrange=True),
        yaxis=dict(range=list(KERNEL_Y_RANGE), fixedrange=True),
        title=dict(text=f"Local polynomial fit, order {order}"),
        legend=dict(orientation="h", y=-0.12),
        clickmode="event",
    )
    return figure


def index_figure(frame: pd.DataFrame, stats: dict | None, log_scale: bool) -> go.Figure:
    """The whole history (WebGL) with the interval shaded and its trend: green rising, red falling, thicker the
    larger its t-statistic. ``frame`` has ``date`` and ``close``; ``stats`` is ``interval_stats``'s result."""
    figure = go.Figure(
        go.Scattergl(
            x=frame["date"], y=frame["close"], mode="lines", name="S&P 500 close", line=dict(width=1, color=POINT)
        )
    )
    if stats:
        colour = RISING if stats["slope"] >= 0 else FALLING
        width = float(np.clip(1 + 2 * np.log10(1 + abs(stats["t"])), 1, 8))
        start, end = stats["start"], stats["end"]
        # The trend is linear in log price: draw it as the exponential curve it is, on a few points.
        t = np.linspace(0, 1, 30)
        dates = start + (end - start) * t
        line = stats["trend"][0] * (stats["trend"][1] / stats["trend"][0]) ** t
        figure.add_trace(
            go.Scatter(x=dates, y=line, mode="lines", name="interval trend", line=dict(color=colour, width=width))
        )
        figure.add_vrect(x0=start, x1=end, fillcolor=colour, opacity=0.08, line_width=0)
    figure.update_layout(
        margin=MARGIN,
        dragmode="select",
        selectdirection="h",
        showlegend=False,
        yaxis=dict(type="log" if log_scale else "linear", title="close"),
        title=dict(text="S&P 500 daily close, 1927–2023 — drag to select an interval"),
        uirevision="index",
    )
    return figure
