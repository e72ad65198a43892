"""2. Kernel regression: clicks edit the points, the bandwidth slider and box agree, and the fit follows."""

from __future__ import annotations

import numpy as np
from dash import Input, Output, State, callback, ctx, no_update

from models.explore.kernel import (
    gaussian_weights,
    kernel_fit,
    pick,
    place_point,
    rounded_bandwidth,
    sample_points,
    slider_position,
)
from webapp import ids as shell_ids
from webapp.components import explore_figures as figs
from webapp.components.theme import themed
from webapp.views.explore import ids

POINTS_TRACE = 1  # the kernel figure's trace of data points (trace 0 catches clicks on empty space)


@callback(
    output={"points": Output(ids.POINTS, "data"), "selected": Output(ids.SELECTED, "data")},
    inputs={"click": Input(ids.KERNEL, "clickData"), "_reset": Input(ids.RESET_POINTS, "n_clicks")},
    state={"points": State(ids.POINTS, "data"), "selected": State(ids.SELECTED, "data")},
    prevent_initial_call=True,
)
def edit_points(click, _reset, points, selected):
    """Click a point to pick it up, click anywhere else to put it there; a click on empty space adds a point."""
    if ctx.triggered_id == ids.RESET_POINTS:
        return {"points": sample_points(), "selected": None}
    if not click:
        return {"points": no_update, "selected": no_update}
    point = click["points"][0]
    if point.get("curveNumber") == POINTS_TRACE:
        return {"points": no_update, "selected": pick(selected, int(point["pointIndex"]))}
    return {"points": place_point(points, selected, point["x"], point["y"]), "selected": None}


@callback(
    output={"figure": Output(ids.KERNEL, "figure"), "info": Output(ids.KERNEL_INFO, "children")},
    inputs={
        "points": Input(ids.POINTS, "data"),
        "selected": Input(ids.SELECTED, "data"),
        "log_bandwidth": Input(ids.BANDWIDTH, "value"),
        "order": Input(ids.ORDER, "value"),
        "bands": Input(ids.BANDS, "value"),
        "test_x": Input(ids.TEST_X, "value"),
    },
    state={"theme": State(shell_ids.THEME_STORE, "data")},
)
def render_kernel(points, selected, log_bandwidth, order, bands, test_x, theme):
    """The points, the fit with its ±1 sd band and the test point's kernel, and a caption saying what is drawn."""
    x, y = np.asarray(points["x"]), np.asarray(points["y"])
    bandwidth = float(10**log_bandwidth)
    try:
        fit = kernel_fit(x, y, bandwidth, int(order))
    except ValueError as exc:
        return {"figure": themed(figs.kernel_figure(x, y, order, selected), theme), "info": str(exc)}
    kernel = gaussian_weights(fit.x, np.asarray([test_x]), bandwidth)[0]
    figure = figs.kernel_figure(x, y, order, selected, fit, "sd" in (bands or []), test_x, kernel)
    info = (
        f"{len(x)} points, bandwidth {rounded_bandwidth(bandwidth):g}, order {order}. Click a point to pick it up, "
        "then click where it should go; click empty space to add one."
    )
    return {"figure": themed(figure, theme), "info": info}


@callback(
    output={"slider": Output(ids.BANDWIDTH, "value"), "box": Output(ids.BANDWIDTH_BOX, "value")},
    inputs={"log_bandwidth": Input(ids.BANDWIDTH, "value"), "typed": Input(ids.BANDWIDTH_BOX, "value")},
    prevent_initial_call=True,
)
def sync_bandwidth(log_bandwidth, typed):
    """The slider moves in log10; the box shows the bandwidth itself, as the caption does. Typing a bandwidth in
    range moves the slider; the box then shows it as the caption will."""
    if ctx.triggered_id == ids.BANDWIDTH_BOX:
        if typed is None:  # empty or not a number: the browser flags the box; the slider stays
            return {"slider": no_update, "box": no_update}
        log_bandwidth = slider_position(typed)
        return {"slider": log_bandwidth, "box": rounded_bandwidth(10**log_bandwidth)}
    return {"slider": no_update, "box": rounded_bandwidth(10**log_bandwidth)}
