"""What Explore's controls decide, without a browser: the window menu, the bandwidth as shown and typed, clicks
on the kernel chart's points."""

import math

import pytest

from models.explore.interval import window_options
from models.explore.kernel import BANDWIDTH_RANGE, pick, place_point, rounded_bandwidth, sample_points, slider_position


def test_the_window_menu_reads_in_words_and_names_a_dragged_width():
    labels = [o["label"] for o in window_options()]
    assert labels == ["1 year", "2 years", "5 years", "10 years", "20 years"]
    dragged = window_options(5.5)
    assert dragged[-1] == {"label": "5.5 years (dragged)", "value": "5.5"}
    assert window_options(5.0) == window_options()  # a drag of exactly a width on offer adds nothing


@pytest.mark.parametrize(("bandwidth", "shown"), [(1.0, 1.0), (10**0.477, 3.0), (10**-1.3, 0.0501), (1234.5, 1230.0)])
def test_the_bandwidth_is_shown_to_three_significant_digits(bandwidth, shown):
    assert rounded_bandwidth(bandwidth) == shown


def test_a_typed_bandwidth_moves_the_slider_to_its_log_within_range():
    assert slider_position(3) == pytest.approx(math.log10(3))
    assert slider_position(1e6) == pytest.approx(math.log10(BANDWIDTH_RANGE[1]))  # clipped to the slider's ends
    assert slider_position(-2) == pytest.approx(-1.3)
    assert slider_position(0) == pytest.approx(-1.3)


def test_a_click_picks_a_point_up_and_a_second_click_on_it_puts_it_down():
    assert pick(None, 4) == 4
    assert pick(4, 4) is None
    assert pick(4, 7) == 7


def test_a_click_elsewhere_moves_the_picked_point_or_adds_one():
    points = sample_points()
    n = len(points["x"])
    moved = place_point(points, 2, 11.23456, -3.0001)
    assert (moved["x"][2], moved["y"][2]) == (11.235, -3.0) and len(moved["x"]) == n
    assert points["x"][2] != 11.235  # the stored points are not changed in place
    added = place_point(points, None, 1, 2)
    assert len(added["x"]) == n + 1 and (added["x"][-1], added["y"][-1]) == (1.0, 2.0)
    assert len(place_point(points, n + 5, 1, 2)["x"]) == n + 1  # a stale pick (points were reset) adds
