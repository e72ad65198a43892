"""The explore page in a real browser: each explainer follows its controls."""

import re

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

from tests.integration.axe import THEMES, border_contrast, open_in_theme, text_contrast
from tests.integration.browser import click_at, client_point, pointer
from tests.integration.browser import plotly as _full

pytestmark = pytest.mark.browser


def _title(dash_duo, graph_id):
    return dash_duo.driver.execute_script(
        f"const el = document.querySelector('#{graph_id} .js-plotly-plot'); return el && el._fullLayout.title.text;"
    )


def _slide(dash_duo, slider_id, presses, key=Keys.ARROW_RIGHT):
    handle = dash_duo.find_element(f"#{slider_id} [role=slider]")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", handle)
    handle.click()
    for _ in range(presses):
        handle.send_keys(key)


def _open(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/explore")
    until(lambda: _full(dash_duo, "explore-kernel", "el._fullData.length") == 5, timeout=30)
    dash_duo.wait_for_contains_text("#explore-index-stats", "total return", timeout=30)


def test_normal_sliders_redraw_the_curve_and_title(dash_duo, app):
    _open(dash_duo, app)
    assert _title(dash_duo, "explore-normal") == "N(mu=0, sigma=1)"
    peak = _full(dash_duo, "explore-normal", "Math.max(...el._fullData[0].y)")
    _slide(dash_duo, "explore-mu", 5)
    until(lambda: _title(dash_duo, "explore-normal") == "N(mu=0.5, sigma=1)", timeout=5)
    _slide(dash_duo, "explore-sigma", 10)
    until(lambda: _title(dash_duo, "explore-normal") == "N(mu=0.5, sigma=2)", timeout=5)
    assert _full(dash_duo, "explore-normal", "Math.max(...el._fullData[0].y)") == pytest.approx(peak / 2, rel=1e-3)
    assert dash_duo.get_logs() == []


def test_kernel_fit_follows_bandwidth_order_and_clicks(dash_duo, app):
    _open(dash_duo, app)
    fit = lambda: _full(dash_duo, "explore-kernel", "Array.from(el._fullData[3].y)")  # noqa: E731
    before = fit()
    _slide(dash_duo, "explore-bandwidth", 60)  # to the widest: plain polynomial regression, order 1 a line
    until(lambda: "bandwidth 1000," in dash_duo.find_element("#explore-kernel-info").text, timeout=15)
    until(lambda: fit() != before, timeout=10)
    line = fit()
    steps = [b - a for a, b in zip(line, line[1:])]
    assert max(steps) - min(steps) < 1e-6
    # A click on empty space adds a point there and the fit moves toward it.
    count = lambda: _full(dash_duo, "explore-kernel", "el._fullData[1].x.length")  # noqa: E731
    points = count()
    click_at(dash_duo, "explore-kernel", 11, 3.5)
    until(lambda: count() == points + 1, timeout=10)
    until(lambda: fit()[-1] > line[-1], timeout=10)  # the new point at the right end pulls the line up
    assert dash_duo.get_logs() == []


def test_a_point_can_be_picked_up_and_moved(dash_duo, app):
    _open(dash_duo, app)
    xs = _full(dash_duo, "explore-kernel", "Array.from(el._fullData[1].x)")
    ys = _full(dash_duo, "explore-kernel", "Array.from(el._fullData[1].y)")
    i = len(xs) // 2
    click_at(dash_duo, "explore-kernel", xs[i], ys[i])
    until(lambda: _full(dash_duo, "explore-kernel", f"el._fullData[1].marker.color[{i}]") == "#fd7e14", timeout=10)
    click_at(dash_duo, "explore-kernel", 11, -3)
    until(lambda: _full(dash_duo, "explore-kernel", "Math.max(...el._fullData[1].x)") > 10.5, timeout=10)
    assert _full(dash_duo, "explore-kernel", "el._fullData[1].x.length") == len(xs)  # moved, not added
    assert xs[i] not in _full(dash_duo, "explore-kernel", "Array.from(el._fullData[1].x)")
    assert dash_duo.get_logs() == []


def test_sliding_the_window_changes_the_interval_return(dash_duo, app):
    _open(dash_duo, app)
    first = dash_duo.find_element("#explore-total-return").text
    assert "2007-01-03 → 2008-12-31" in dash_duo.find_element("#explore-index-stats").text
    _slide(dash_duo, "explore-window-start", 6)
    until(lambda: "2013-01-02 → 2014-12-31" in dash_duo.find_element("#explore-index-stats").text, timeout=10)
    assert dash_duo.find_element("#explore-total-return").text != first
    colour = _full(dash_duo, "explore-index", "el._fullData[1].line.color")
    assert colour == "#20c997"  # 2013-2014 rose
    dash_duo.find_element("#explore-log-scale input").click()
    until(lambda: _full(dash_duo, "explore-index", "el._fullLayout.yaxis.type") == "linear", timeout=10)
    assert dash_duo.get_logs() == []


@pytest.mark.parametrize("theme", THEMES)
def test_reset_points_reads_as_a_button_in_both_themes(dash_duo, app, theme):
    dash_duo.start_server(app)
    open_in_theme(dash_duo, "/explore", theme, "#explore-reset-points")
    [edge] = border_contrast(dash_duo, "#explore-reset-points")
    assert edge["text"] == "Reset points"
    # WCAG 1.4.11: a control's boundary needs 3:1 against what surrounds it; its label 4.5:1.
    assert edge["width"] >= 1 and edge["ratio"] >= 3, edge
    [label] = text_contrast(dash_duo, "#explore-reset-points")
    assert label["ratio"] >= 4.5, label


def _drag_dates(dash_duo, graph_id, start, end):
    """Drag horizontally across a date axis from ``start`` to ``end`` (ISO dates), mid-height."""
    y = "(el._fullLayout.yaxis.range[0] + el._fullLayout.yaxis.range[1]) / 2"
    a = client_point(dash_duo, graph_id, f"l.xaxis.d2l('{start}')", y)
    b = client_point(dash_duo, graph_id, f"l.xaxis.d2l('{end}')", y)
    pointer(dash_duo, [a, [(a[0] + b[0]) / 2, a[1]], b])


def _window_menu(dash_duo):
    return dash_duo.driver.execute_script(
        "const s = document.querySelector('#explore-window-years');"
        "return {chosen: s.options[s.selectedIndex].text,"
        " shown: Array.from(s.options).filter(o => !o.hidden).map(o => o.text),"
        " all: Array.from(s.options).map(o => o.text)};"
    )


def _slider_value(dash_duo, slider_id):
    return dash_duo.find_element(f"#{slider_id} [role=slider]").get_attribute("aria-valuenow")


def test_window_menu_reads_in_words_with_no_blank_choice(dash_duo, app):
    _open(dash_duo, app)
    menu = _window_menu(dash_duo)
    assert menu["chosen"] == "2 years"
    assert menu["shown"] == ["1 year", "2 years", "5 years", "10 years", "20 years"]
    assert all(text.strip() for text in menu["all"])  # not even a hidden blank one
    assert dash_duo.get_logs() == []


def _caption_dates(dash_duo):
    return re.findall(r"\d{4}-\d{2}-\d{2}", dash_duo.find_element("#explore-index-stats").text)[:2]


def test_dragging_an_interval_moves_the_window_controls_to_it(dash_duo, app):
    _open(dash_duo, app)
    _drag_dates(dash_duo, "explore-index", "1990-04-01", "1995-10-01")  # a drag lands within a few days
    until(lambda: _caption_dates(dash_duo)[0].startswith("1990-0"), timeout=15)
    start, end = _caption_dates(dash_duo)
    # While the caption shows the dragged interval, the controls above the chart say the same.
    until(lambda: re.fullmatch(r"5\.\d years \(dragged\)", _window_menu(dash_duo)["chosen"]), timeout=10)
    dragged = _window_menu(dash_duo)["chosen"]
    assert _slider_value(dash_duo, "explore-window-start") == "1990"
    assert _caption_dates(dash_duo) == [start, end]
    # Then sliding the window keeps the dragged width, from the first trading day of the new start year.
    _slide(dash_duo, "explore-window-start", 2)
    until(lambda: _caption_dates(dash_duo)[0] == "1992-01-02", timeout=15)
    assert _caption_dates(dash_duo)[1][:4] == "1997"
    assert _window_menu(dash_duo)["chosen"] == dragged
    assert dash_duo.get_logs() == []


def _caption_bandwidth(dash_duo):
    text = dash_duo.find_element("#explore-kernel-info").text
    return text.split("bandwidth ")[1].split(",")[0] if "bandwidth " in text else None


def test_bandwidth_box_shows_the_bandwidth_the_caption_reports(dash_duo, app):
    _open(dash_duo, app)
    box = dash_duo.find_element("#explore-bandwidth-value")
    assert _caption_bandwidth(dash_duo) == "1" and box.get_attribute("value") == "1"
    _slide(dash_duo, "explore-bandwidth", 20)  # +1.0 in log10: ten times wider
    until(lambda: _caption_bandwidth(dash_duo) == "10", timeout=10)
    until(lambda: box.get_attribute("value") == "10", timeout=10)
    # Typing a bandwidth moves the slider to its log10 and the caption follows.
    box.clear()
    box.send_keys("3", Keys.ENTER)
    until(lambda: _caption_bandwidth(dash_duo) == "3", timeout=10)
    assert float(_slider_value(dash_duo, "explore-bandwidth")) == pytest.approx(0.477, abs=0.03)
    assert box.get_attribute("value") == "3"
    assert dash_duo.get_logs() == []
