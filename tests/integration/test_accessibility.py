"""Accessibility, measured in the browser on every page and in both themes: axe-core's audit, buttons that read as
buttons, and a console free of errors and warnings."""

from __future__ import annotations

import pytest

from tests.integration.axe import THEMES, border_contrast, open_in_theme

pytestmark = pytest.mark.browser

PAGES = {
    "/": "#home-title",
    "/logs": "#logs-title",
    "/sentiment": "#sentiment-title",
    "/nn-builder": "#nn-builder-title",
    "/explore": "#explore-title",
}


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
