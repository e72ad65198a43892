"""Explore's figure builders and window arithmetic, without a browser."""

import numpy as np
import pandas as pd
import pytest

from models.explore.index import interval_stats
from models.explore.interval import dragged_interval, window_interval
from models.explore.kernel import kernel_fit, noisy_sample
from webapp.components import explore_figures as figs


def test_kernel_figure_draws_points_band_fit_and_kernel_in_order():
    x, y = noisy_sample()
    fit = kernel_fit(x, y, 1.0, 1)
    figure = figs.kernel_figure(x, y, 1, selected=3, fit=fit, show_sd=True, test_x=5, kernel=np.ones_like(fit.x))
    assert [t.name for t in figure.data][1:] == ["points", "±1 sd", "fit", "kernel at x=5"]
    assert list(figure.data[1].marker.color).count(figs.PICKED) == 1
    assert len(figs.kernel_figure(x, y, 1).data) == 2  # no fit: catcher and points only


def test_index_figure_colours_the_trend_by_direction():
    dates = pd.date_range("2000-01-03", periods=300, freq="B")
    rising = pd.DataFrame({"date": dates, "close": np.exp(np.linspace(0, 0.3, 300))})
    stats = interval_stats(rising["date"], rising["close"], "2000-02-01", "2000-10-01")
    figure = figs.index_figure(rising, stats, log_scale=True)
    assert figure.data[1].line.color == figs.RISING and figure.layout.yaxis.type == "log"
    falling = rising.assign(close=rising["close"][::-1].to_numpy())
    stats = interval_stats(falling["date"], falling["close"], "2000-02-01", "2000-10-01")
    assert figs.index_figure(falling, stats, log_scale=False).data[1].line.color == figs.FALLING


def test_window_and_dragged_intervals():
    assert window_interval(2007, 2) == {"start": "2007-01-01", "end": "2008-12-31", "years": 2.0}
    assert window_interval(1990, 5.5)["end"] == "1995-07-02"  # 2009 days (5.5 x 365.25), the last included
    dragged = dragged_interval("1995-07-01 12:00:00.0", "1990-01-01")  # either direction
    assert dragged == {"start": "1990-01-01", "end": "1995-07-01", "years": pytest.approx(5.5)}
