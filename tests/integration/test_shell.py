"""The app shell in a real browser: every page renders cleanly, the navbar navigates, the theme sticks."""

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By

from tests.integration.axe import PAGES, THEMES, open_in_theme, text_contrast

pytestmark = pytest.mark.browser


def _theme(dash_duo) -> str:
    return dash_duo.driver.find_element(By.TAG_NAME, "html").get_attribute("data-bs-theme")


def _body_background(dash_duo) -> str:
    return dash_duo.driver.execute_script("return getComputedStyle(document.body).backgroundColor")


def test_every_page_renders_with_an_empty_console(dash_duo, app):
    dash_duo.start_server(app)
    for path, heading in PAGES.items():
        dash_duo.driver.get(dash_duo.server_url + path)
        dash_duo.wait_for_element(heading)
        dash_duo.wait_for_element("#shell-navbar")
        assert dash_duo.get_logs() == [], f"console errors on {path}"


# Builtins @babel/polyfill's core-js 2 replaces in Chromium (it marks each replacement with a "Symbol(src)…" key).
REPLACED_BY_CORE_JS = """
const marked = f => Object.getOwnPropertyNames(f).some(k => k.startsWith('Symbol(src)'));
const builtins = {'String.prototype.trim': String.prototype.trim, parseInt, parseFloat,
                  'Array.prototype.values': Array.prototype.values, 'Array.prototype.keys': Array.prototype.keys};
return Object.entries(builtins).filter(([, f]) => marked(f)).map(([name]) => name);
"""


def test_pages_run_on_the_browsers_own_builtins_and_lazy_components_still_load(dash_duo, app):
    """webapp.scripts: no @babel/polyfill (it swapped native trim, parseInt and the Array iterators for slower
    ones); its regeneratorRuntime, which Dash's lazy loader needs, comes from assets, so charts still draw."""
    dash_duo.start_server(app)
    for path, heading in PAGES.items():
        dash_duo.driver.get(dash_duo.server_url + path)
        dash_duo.wait_for_element(heading)
        sources = dash_duo.driver.execute_script("return [...document.scripts].map(s => s.src)")
        assert not [s for s in sources if "polyfill" in s], sources
        assert dash_duo.driver.execute_script(REPLACED_BY_CORE_JS) == [], path
        assert dash_duo.driver.execute_script("return typeof regeneratorRuntime.mark") == "function"
    dash_duo.driver.get(dash_duo.server_url + "/logs")
    # The logs page's charts are dcc.Graph, a lazy component: they draw only if its chunk loaded.
    until(lambda: len(dash_duo.find_elements("#logs-hourly .bars .point path")) > 0, timeout=30)
    assert dash_duo.get_logs() == []


def test_navbar_navigates_and_highlights_the_active_page(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.wait_for_element("#home-title")
    for link, heading, path in (
        ("#nav-logs", "#logs-title", "/logs"),
        ("#nav-sentiment", "#sentiment-title", "/sentiment"),
        ("#nav-nn_builder", "#nn-builder-title", "/nn-builder"),
        ("#nav-explore", "#explore-title", "/explore"),
        ("#nav-home", "#home-title", "/"),
    ):
        dash_duo.find_element(link).click()
        dash_duo.wait_for_element(heading)
        until(lambda path=path: dash_duo.driver.current_url == dash_duo.server_url + path, timeout=4)
        until(lambda link=link: "active" in dash_duo.find_element(link).get_attribute("class"), timeout=4)
        others = [
            a for a in dash_duo.find_elements("#shell-navbar .nav-link.active") if a.get_attribute("id") != link[1:]
        ]
        assert others == []
    assert dash_duo.get_logs() == []


def test_home_cards_link_to_their_pages(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.find_element("#home-card-sentiment-open").click()
    dash_duo.wait_for_element("#sentiment-title")
    assert dash_duo.driver.current_url == dash_duo.server_url + "/sentiment"


def test_theme_toggle_switches_and_survives_a_reload(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.wait_for_element("#home-title")
    until(lambda: _theme(dash_duo) == "dark", timeout=4)
    dark_background = _body_background(dash_duo)
    switch = dash_duo.find_element("#shell-theme-switch")
    assert switch.is_selected()

    switch.click()
    until(lambda: _theme(dash_duo) == "light", timeout=4)
    assert _body_background(dash_duo) != dark_background
    assert not dash_duo.find_element("#shell-theme-switch").is_selected()

    dash_duo.driver.refresh()
    dash_duo.wait_for_element("#home-title")
    assert _theme(dash_duo) == "light"  # set by the inline script, before Dash has booted
    until(lambda: not dash_duo.find_element("#shell-theme-switch").is_selected(), timeout=4)

    dash_duo.find_element("#shell-theme-switch").click()
    until(lambda: _theme(dash_duo) == "dark", timeout=4)
    assert _body_background(dash_duo) == dark_background
    assert dash_duo.get_logs() == []


def test_unknown_path_shows_the_not_found_page(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/no/such/page")
    dash_duo.wait_for_text_to_equal("#not-found-title", "Page not found")
    # The only console entry allowed is the browser noting the document's own 404 status.
    assert all("404" in entry["message"] for entry in dash_duo.get_logs())
    dash_duo.find_element("#not-found-home").click()
    dash_duo.wait_for_element("#home-title")


@pytest.mark.parametrize("theme", THEMES)
def test_navbar_brand_and_links_are_legible_in_both_themes(dash_duo, app, theme):
    dash_duo.start_server(app)
    open_in_theme(dash_duo, "/explore", theme, "#explore-title")
    items = text_contrast(dash_duo, "#shell-navbar .navbar-brand, #shell-navbar .nav-link, #shell-navbar label")
    assert {i["text"] for i in items} >= {"Glassbox", "Home", "Logs", "Sentiment", "NN Builder", "Explore", "Dark"}
    # WCAG AA for normal text: 4.5:1 against what is painted behind it.
    faint = [(i["text"], i["colour"], i["background"], round(i["ratio"], 2)) for i in items if i["ratio"] < 4.5]
    assert faint == [], f"navbar text too faint in {theme} theme"
    assert dash_duo.get_logs() == []
