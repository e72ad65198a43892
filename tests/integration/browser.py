"""What the browser tests share: reading what Plotly drew, and clicking where a user would.

Bootstrap turns on smooth scrolling, so anything scrolled into view here is scrolled *instantly*:
a smooth scroll still moving when the pointer acts would put the click somewhere else.
"""

from __future__ import annotations


def plotly(dash_duo, graph_id: str, expr: str):
    """Evaluate ``expr`` with ``el`` = the graph's Plotly div; None until it has drawn data.

    ``el._fullData`` holds decoded arrays (``figure.data`` may hold base64 typed arrays).
    """
    return dash_duo.driver.execute_script(
        f"const el = document.querySelector('#{graph_id} .js-plotly-plot');"
        f"return el && el._fullData && el._fullData.length ? ({expr}) : null;"
    )


def click(dash_duo, selector_or_element) -> None:
    """Scroll instantly to an element, then click it."""
    el = dash_duo.find_element(selector_or_element) if isinstance(selector_or_element, str) else selector_or_element
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", el)
    el.click()


def client_point(dash_duo, graph_id: str, x_expr, y_expr) -> list[float]:
    """Viewport coordinates of a point given in the graph's axis units (after scrolling it into view)."""
    return dash_duo.driver.execute_script(
        f"const el = document.querySelector('#{graph_id} .js-plotly-plot');"
        "el.scrollIntoView({block: 'center', behavior: 'instant'});"
        "const l = el._fullLayout, box = el.querySelector('.nsewdrag').getBoundingClientRect();"
        f"return [box.left + l.xaxis.l2p({x_expr}), box.top + l.yaxis.l2p({y_expr})];"
    )


def pointer(dash_duo, points, press: bool = True) -> None:
    """Move the mouse through viewport points; press at the first and release at the last (a click or a drag)."""
    from selenium.webdriver.common.actions.action_builder import ActionBuilder

    builder = ActionBuilder(dash_duo.driver)
    builder.pointer_action.move_to_location(*map(int, points[0]))
    if press:
        builder.pointer_action.pointer_down()
    for x, y in points[1:]:
        builder.pointer_action.move_to_location(int(x), int(y))
    if press:
        builder.pointer_action.pointer_up()
    builder.perform()


def click_at(dash_duo, graph_id: str, x, y) -> None:
    """A click at a point given in the graph's axis units."""
    point = client_point(dash_duo, graph_id, x, y)
    pointer(dash_duo, [point, point])
