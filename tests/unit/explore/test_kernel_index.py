import numpy as np
import pandas as pd
import pytest

from models.explore.index import interval_stats, load_sp500
from models.explore.kernel import kernel_fit, local_polynomial, noisy_sample


@pytest.mark.parametrize("order", [0, 1, 2, 3])
def test_a_huge_bandwidth_is_plain_polynomial_least_squares(order):
    x, y = noisy_sample(50, seed=3)
    grid = np.linspace(-1, 11, 25)
    np.testing.assert_allclose(
        local_polynomial(x, y, grid, 1e6, order), np.polyval(np.polyfit(x, y, order), grid), atol=1e-6
    )


def test_a_small_bandwidth_follows_the_points():
    x, y = noisy_sample(60, seed=1)
    near = local_polynomial(x, y, x, 0.01, 0)
    # Nadaraya-Watson with a tiny kernel is almost interpolation (only near-twins get averaged).
    assert np.median(np.abs(near - y)) < 0.01


def test_order_1_is_exact_on_a_line_for_any_bandwidth():
    x = np.linspace(0, 10, 30)
    for bandwidth in (0.3, 1, 100):
        np.testing.assert_allclose(
            local_polynomial(x, 2 * x + 1, [-3, 0, 4.2, 13], bandwidth, 1), [-5, 1, 9.4, 27], atol=1e-3
        )


def test_an_outlier_pulls_the_fit_locally_only():
    x, y = noisy_sample(40, seed=2)
    base = kernel_fit(x, y, 0.5, 1, grid=50)
    moved = y.copy()
    moved[20] += 10
    pulled = kernel_fit(x, moved, 0.5, 1, grid=50)
    change = np.abs(pulled.fit - base.fit)
    near = np.argmin(np.abs(base.x - x[20]))
    assert change[near] > 1 and change[0] < 0.01 and change[-1] < 0.01
    assert pulled.sd[near] > base.sd[near]


def test_bad_arguments():
    with pytest.raises(ValueError, match="bandwidth"):
        local_polynomial([1, 2], [1, 2], [1], 0, 1)
    with pytest.raises(ValueError, match="at least 3 points"):
        local_polynomial([1, 2], [1, 2], [1], 1, 2)


def test_interval_stats_on_a_known_series():
    dates = pd.bdate_range("2020-01-01", periods=253)
    close = 100 * np.exp(0.1 * np.arange(253) / 252)  # +10% a year in log terms, no noise
    stats = interval_stats(dates, close, dates[0], dates[-1])
    assert stats["total_return"] == pytest.approx(np.exp(0.1) - 1)
    assert stats["volatility"] == pytest.approx(0, abs=1e-9)
    # 0.1 of log growth over the span's calendar days, per year (business days are not evenly spaced).
    assert stats["slope"] == pytest.approx(0.1 / ((dates[-1] - dates[0]).days / 365.25), rel=0.02)
    assert stats["trend"][0] == pytest.approx(100, rel=1e-3)
    assert interval_stats(dates, close, "2030-01-01", "2031-01-01") is None


def test_sp500_history_and_the_2008_crash(tmp_path):
    frame = load_sp500(tmp_path)
    assert len(frame) == 24114 and frame["date"].is_monotonic_increasing
    crash = interval_stats(frame["date"], frame["close"], "2008-01-01", "2008-12-31")
    assert crash["total_return"] < -0.35 and crash["slope"] < 0 and crash["volatility"] > 0.3
