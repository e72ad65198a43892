"""Downsampling the plotted time series: bounded, spikes kept, exact when already small; zoom windows."""

import numpy as np
import pytest

from models.logs import view as views
from models.logs.downsample import MAX_POINTS, parse_window, spike_indices, window_indices

MINUTES_IN_4_WEEKS = 4 * 7 * 24 * 60


def _weeks_of_minutes(seed=0):
    rng = np.random.default_rng(seed)
    return rng.poisson(50, MINUTES_IN_4_WEEKS).astype(np.int64)


def test_a_one_minute_spike_and_dip_survive_four_weeks_of_minutes():
    counts = _weeks_of_minutes()
    spike, dip = 12_345, 30_001
    counts[spike], counts[dip] = 5_000, 0
    chosen = spike_indices(counts)
    assert len(chosen) <= MAX_POINTS + 2
    assert spike in chosen and dip in chosen
    assert counts[chosen].max() == 5_000 and counts[chosen].min() == 0


def test_every_runs_max_and_min_survive():
    counts = _weeks_of_minutes(seed=1)
    chosen = spike_indices(counts, 400)
    edges = np.arange(201) * len(counts) // 200  # n_out / 2 equal runs of consecutive buckets
    for start, end in zip(edges[:-1], edges[1:]):
        kept = chosen[(chosen >= start) & (chosen < end)]
        assert counts[kept].max() == counts[start:end].max()
        assert counts[kept].min() == counts[start:end].min()


@pytest.mark.parametrize("n_out", [2, 100, 1_000, 2_000, 4_000])
def test_the_number_of_points_is_bounded_and_spans_the_series(n_out):
    counts = _weeks_of_minutes()
    chosen = spike_indices(counts, n_out)
    assert len(chosen) <= n_out + 2
    assert chosen[0] == 0 and chosen[-1] == len(counts) - 1
    assert np.all(np.diff(chosen) > 0)


@pytest.mark.parametrize("size", [0, 1, 7, MAX_POINTS])
def test_a_short_series_passes_through_untouched(size):
    counts = np.arange(size, dtype=np.int64) * 3
    assert spike_indices(counts).tolist() == list(range(size))
    assert window_indices(np.arange(size) * 60_000.0, counts, (0.0, 1e9)).tolist() == list(range(size))


def test_a_window_is_drawn_finer_and_the_overview_stays_outside_it():
    counts = _weeks_of_minutes()
    times = np.arange(len(counts)) * 60_000.0
    window = (times[10_000], times[11_000])  # about 17 hours of four weeks
    overview = spike_indices(counts)
    zoomed = window_indices(times, counts, window)
    inside = (zoomed >= 10_000) & (zoomed <= 11_000)
    assert inside.sum() == 1_001  # every minute of the window: fewer than MAX_POINTS
    assert ((overview >= 10_000) & (overview <= 11_000)).sum() < 100
    assert set(overview[(overview < 10_000) | (overview > 11_000)]) <= set(zoomed)
    assert len(zoomed) <= 2 * MAX_POINTS + 4


def test_a_wide_window_is_still_bounded():
    counts = _weeks_of_minutes()
    times = np.arange(len(counts)) * 60_000.0
    zoomed = window_indices(times, counts, (times[1_000], times[-1_000]))
    assert len(zoomed) <= 2 * MAX_POINTS + 4


@pytest.mark.parametrize(
    "relayout, expected",
    [
        (
            {"xaxis.range[0]": "2023-05-02 10:00", "xaxis.range[1]": "2023-05-02 12:00:30.5"},
            (1683021600000.0, 1683028830500.0),
        ),
        ({"xaxis.range": ["2023-05-02", "2023-05-03"]}, (1682985600000.0, 1683072000000.0)),
        ({"xaxis.range": [1683021600000, 1683028800000]}, (1683021600000.0, 1683028800000.0)),
        ({"xaxis.autorange": True, "yaxis.autorange": True}, views.OVERVIEW),
        ({"autosize": True}, None),
        ({"dragmode": "zoom"}, None),
        ({"selections": [{"x0": 1, "x1": 2}]}, None),  # a box selection filters; it is no zoom
        ({"yaxis.range[0]": 0, "yaxis.range[1]": 5}, None),
    ],
)
def test_relayouts_that_zoom_and_those_that_do_not(relayout, expected):
    assert views.zoom_from_relayout(relayout) == expected


@pytest.mark.parametrize(
    "relayout",
    [
        {"xaxis.range[0]": "yesterday", "xaxis.range[1]": "today"},
        {"xaxis.range[0]": "2023-05-02 10:00"},  # half a range
        {"xaxis.range[0]": float("nan"), "xaxis.range[1]": 5},
        {"xaxis.range[0]": float("-inf"), "xaxis.range[1]": float("inf")},
        {"xaxis.range[0]": "2023-05-03", "xaxis.range[1]": "2023-05-02"},  # reversed
        {"xaxis.range[0]": 5, "xaxis.range[1]": 5},  # empty
        {"xaxis.range[0]": 0, "xaxis.range[1]": 1e300},  # huge
        {"xaxis.range[0]": "99999-01-01", "xaxis.range[1]": "99999-02-01"},
        {"xaxis.range[0]": "2023-05-02T10:00:00+05:00", "xaxis.range[1]": "2023-05-03"},
        {"xaxis.range[0]": "2023-05-02" * 100, "xaxis.range[1]": "2023-05-03"},
        {"xaxis.range[0]": True, "xaxis.range[1]": 5},
        {"xaxis.range[0]": [1], "xaxis.range[1]": {"a": 1}},
        {"xaxis.range": "2023-05-02"},
        {"xaxis.range": [1, 2, 3]},
        {"xaxis.autorange": "yes"},
        "xaxis.range",
        ["xaxis.range", 1, 2],
        None,
    ],
)
def test_garbage_relayouts_ask_for_nothing(relayout):
    assert views.zoom_from_relayout(relayout) is None


def test_parse_window_reads_plotly_dates_as_utc_ms():
    assert parse_window("2023-05-02 10:15:30.5", "2023-05-03") == (1683022530500.0, 1683072000000.0)
    assert parse_window("2023-13-45", "2024") is None
