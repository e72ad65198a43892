"""Accessibility, measured in the browser on every page and in both themes: axe-core's audit, buttons that read as
buttons, and a console free of errors and warnings."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from tests.integration.axe import (
    PAGES,
    THEMES,
    axe_results,
    border_contrast,
    console_problems,
    open_in_theme,
    serious,
    watch_console,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", PAGES)
def test_every_button_has_a_visible_edge(dash_duo, app, path):
    """Enabled buttons in every tab and collapsed group too: an outline button without an edge reads as plain text.
    (Disabled ones are exempt from contrast rules, as in WCAG.)"""
    dash_duo.start_server(app)
    for theme in THEMES:
        open_in_theme(dash_duo, path, theme, PAGES[path])
        buttons = border_contrast(dash_duo, ".btn:not(:disabled):not(.disabled)")
        assert buttons, f"no buttons found on {path}"
        flat = [(b["text"], b["className"], round(b["ratio"], 2)) for b in buttons if b["width"] < 1 or b["ratio"] < 3]
        assert flat == [], f"buttons without a visible edge on {path} in the {theme} theme"


@pytest.mark.parametrize(
    ("path", "theme"), [pytest.param(path, theme, id=f"{path}-{theme}") for path in PAGES for theme in THEMES]
)
def test_axe_finds_no_serious_violation(dash_duo, app, path, theme):
    """axe-core's WCAG audit of the page as it first settles, colour contrast included."""
    from dash.testing.wait import until

    dash_duo.start_server(app)
    open_in_theme(dash_duo, path, theme, PAGES[path])
    # Let the page's first callbacks settle: no request in flight for a moment.
    until(lambda: dash_duo.driver.execute_script("return !document.querySelector('[data-dash-is-loading]')"), 120)
    found = serious(axe_results(dash_duo))
    assert found == [], f"axe on {path} ({theme}):\n" + "\n".join(found)


@pytest.mark.parametrize("path", PAGES)
def test_console_has_no_errors_or_warnings(dash_duo, app, path):
    """Each page, opened in each theme and left to settle: nothing at WARNING or above in the console."""
    from dash.testing.wait import until

    watch_console(dash_duo)
    dash_duo.start_server(app)
    for theme in THEMES:
        open_in_theme(dash_duo, path, theme, PAGES[path])
        # The Sentiment page trains its first model on first visit: minutes on a loaded 2-core machine.
        until(lambda: dash_duo.driver.execute_script("return !document.querySelector('[data-dash-is-loading]')"), 300)
        problems = console_problems(dash_duo)
        assert problems == [], f"console on {path} ({theme}):\n" + "\n".join(problems)


@pytest.mark.parametrize("path", ["/logs", "/sentiment"])
def test_tab_key_reaches_every_dropdown(dash_duo, app, path):
    """Keyboard users Tab onto each dropdown's trigger (the button with its label and value), never onto the hidden
    focus-forwarding input Dash draws before it; and the dropdown still opens from the keyboard."""
    from dash.testing.wait import until
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + path)
    dash_duo.wait_for_element(PAGES[path], timeout=90)
    until(lambda: dash_duo.driver.execute_script("return !document.querySelector('[data-dash-is-loading]')"), 300)
    triggers = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('button.dash-dropdown:not(:disabled)'))"
        ".filter(b => b.offsetParent !== null).map(b => b.id)"
    )
    assert triggers, f"no dropdown on {path}"
    dash_duo.driver.execute_script("document.activeElement && document.activeElement.blur(); window.focus()")
    reached, hidden = [], []
    for _ in range(300):
        ActionChains(dash_duo.driver).send_keys(Keys.TAB).perform()
        here = dash_duo.driver.execute_script(
            "const el = document.activeElement;"
            "return el ? {id: el.id, hidden: el.closest('[aria-hidden=true]') !== null,"
            " trigger: el.matches('button.dash-dropdown')} : null"
        )
        if not here or here["id"] in reached:
            break
        if here["hidden"]:
            hidden.append(here["id"] or "(no id)")
        if here["trigger"]:
            reached.append(here["id"])
        if set(triggers) <= set(reached):
            break
    assert hidden == [], f"Tab stopped on elements hidden from screen readers on {path}"
    assert sorted(reached) == sorted(triggers), f"Tab did not reach every dropdown on {path}"
    # The last trigger reached has focus: ArrowDown opens its menu.
    ActionChains(dash_duo.driver).send_keys(Keys.ARROW_DOWN).perform()
    until(lambda: dash_duo.driver.execute_script("return !!document.querySelector('.dash-dropdown-content')"), 10)


def test_nn_builder_tabs_are_linked_to_their_panes_and_reachable_by_keyboard(dash_duo, app):
    """Each tab names its own pane (and the pane its tab), the selected one says so, and a keyboard user Tabs onto
    a tab and opens it with Enter."""
    from dash.testing.wait import until
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/nn-builder")
    dash_duo.wait_for_element(PAGES["/nn-builder"], timeout=90)
    tabs_js = """
        return Array.from(document.querySelectorAll('#nn-builder-tabs [role=tab]')).map(t => {
            const pane = document.getElementById(t.getAttribute('aria-controls'));
            return {label: t.textContent, id: t.id, selected: t.getAttribute('aria-selected'),
                    pane: pane ? pane.getAttribute('aria-labelledby') : null, tabindex: t.tabIndex};
        });
    """
    until(lambda: all(t["pane"] for t in dash_duo.driver.execute_script(tabs_js)), 10)
    tabs = dash_duo.driver.execute_script(tabs_js)
    assert [t["pane"] for t in tabs] == [t["id"] for t in tabs]
    assert len({t["id"] for t in tabs}) == len(tabs)
    assert [t["selected"] for t in tabs] == ["true"] + ["false"] * (len(tabs) - 1)
    assert {t["tabindex"] for t in tabs} == {0}

    # From the tab before it (Diagnostics), Tab moves to Runs.
    dash_duo.driver.execute_script(
        "document.querySelector('#nn-builder-tabs .nav-item:nth-child(4) [role=tab]').focus()"
    )
    ActionChains(dash_duo.driver).send_keys(Keys.TAB).perform()
    assert dash_duo.driver.execute_script("return document.activeElement.textContent") == "Runs"
    ActionChains(dash_duo.driver).send_keys(Keys.ENTER).perform()
    until(lambda: [t["selected"] for t in dash_duo.driver.execute_script(tabs_js)][-1] == "true", 10)
    runs_pane = dash_duo.driver.execute_script(
        "return document.getElementById(document.querySelector('#nn-builder-tabs .nav-item:last-child [role=tab]')"
        ".getAttribute('aria-controls')).className"
    )
    assert "active" in runs_pane


@pytest.fixture(scope="module")
def trained_sentiment(tmp_path_factory):
    """A data folder whose database already holds the tweets' first model (trained once for this module)."""
    from webapp import create_app, services

    folder = tmp_path_factory.mktemp("sentiment-trained")
    app = create_app({"TESTING": True, "DATA_DIR": str(folder), "SECRET_KEY": "test"})
    with app.server.app_context():
        services.sentiment().latest_run_id("tweets")
    return folder


# The Label tab: its tab and its panel (the labelling queue).
LABEL_TAB = {"include": [["#sentiment-mode-tabs"], ["#sentiment-queue"]]}


def _label_tab_audit(dash_duo) -> list[str]:
    """axe on the page with the Label tab open: no serious violation anywhere on it, and none at all (minor and
    moderate too) in the Label tab itself."""
    inside = [
        f"{v['id']} ({v['impact']}): {'; '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in axe_results(dash_duo, LABEL_TAB)
    ]
    return serious(axe_results(dash_duo)) + inside


def _queue_state(dash_duo) -> dict:
    return dash_duo.driver.execute_script(
        "const q = id => document.getElementById(id);"
        "return {shown: q('sentiment-queue').offsetParent !== null, text: q('sentiment-queue-text').innerText,"
        " status: q('sentiment-queue-status').innerText, proba: q('sentiment-queue-proba').innerText,"
        " tokens: !!document.querySelector('#sentiment-queue-tokens .js-plotly-plot .main-svg')};"
    )


@pytest.mark.parametrize("theme", THEMES)
def test_axe_finds_no_serious_violation_in_the_sentiment_label_tab(dash_duo, trained_sentiment, tmp_path, theme):
    """The Label tab (the labelling queue) open, audited in its two modes: nothing left to label (the built-in
    tweets are all labelled) and a text to review with the model's probabilities, its token chart and the
    answer buttons; then again after an answer, with the session's line shown."""
    import shutil

    from dash.testing.wait import until

    from tests.integration.browser import click
    from webapp import create_app

    data = tmp_path / "data"
    shutil.copytree(trained_sentiment, data, ignore=shutil.ignore_patterns("cache"))
    app = create_app({"TESTING": True, "DATA_DIR": str(data), "SECRET_KEY": "test"})
    dash_duo.start_server(app)
    open_in_theme(dash_duo, "/sentiment", theme, PAGES["/sentiment"])
    dash_duo.wait_for_element("#sentiment-mode-tabs .nav-link", timeout=60)
    click(dash_duo, next(a for a in dash_duo.find_elements("#sentiment-mode-tabs .nav-link") if a.text == "Label"))
    until(lambda: _queue_state(dash_duo)["shown"] and _queue_state(dash_duo)["text"] == "Nothing left to label.", 240)
    until(lambda: dash_duo.driver.execute_script("return !document.querySelector('[data-dash-is-loading]')"), 120)
    found = {"label": _label_tab_audit(dash_duo)}

    review = dash_duo.find_element("#sentiment-queue-mode input[value='review']")
    click(dash_duo, dash_duo.find_element(f"label[for='{review.get_attribute('id')}']"))
    until(lambda: _queue_state(dash_duo)["status"].startswith("Row ") and _queue_state(dash_duo)["tokens"], 120)
    until(lambda: "p(negative)" in _queue_state(dash_duo)["proba"], 30)
    until(lambda: dash_duo.driver.execute_script("return !document.querySelector('[data-dash-is-loading]')"), 120)
    found["review"] = _label_tab_audit(dash_duo)

    click(dash_duo, '[id=\'{"label":"neutral","type":"sentiment-queue-answer"}\']')
    dash_duo.wait_for_contains_text("#sentiment-queue-answered", "1 answer(s) stored", timeout=60)
    until(lambda: dash_duo.driver.execute_script("return !document.querySelector('[data-dash-is-loading]')"), 120)
    found["answered"] = _label_tab_audit(dash_duo)
    dash_duo.driver.save_screenshot(str(Path(tempfile.gettempdir()) / f"sentiment-label-tab-{theme}.png"))
    assert {mode: lines for mode, lines in found.items() if lines} == {}, f"axe on the Label tab ({theme})"
