"""Accessibility helpers for the browser tests: the theme a page opens in, colour contrast as a person sees it,
and axe-core (npm) injected into a page to audit it.

axe-core is installed by ``.ci/run`` into ``.ci/node`` (``npm install --prefix .ci/node axe-core@4``); set
``GLASSBOX_AXE_JS`` to use another copy of ``axe.min.js``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from webapp import ids

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = Path(os.environ.get("GLASSBOX_AXE_JS", ROOT / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js"))
# Every page, with the element that says it has rendered.
PAGES = {
    "/": "#home-title",
    "/logs": "#logs-title",
    "/sentiment": "#sentiment-title",
    "/nn-builder": "#nn-builder-title",
    "/explore": "#explore-title",
}
THEMES = ("dark", "light")

# WCAG 2.x relative luminance and contrast ratio of an element's text against what is painted behind it: the first
# ancestor with an opaque-enough background (alpha blended over the page's own background).
_CONTRAST_JS = """
function glassboxRgba(text) {
    const m = text.match(/rgba?\\(([^)]+)\\)/);
    if (!m) { return [0, 0, 0, 0]; }
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
}
function glassboxOver(top, bottom) {
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)).concat([1]);
}
function glassboxBackground(el) {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
        const c = glassboxRgba(getComputedStyle(node).backgroundColor);
        if (c[3] > 0) { layers.push(c); }
        if (c[3] >= 1) { break; }
    }
    let colour = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) { colour = glassboxOver(layers[i], colour); }
    return colour;
}
function glassboxLuminance(c) {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
}
function glassboxContrast(a, b) {
    const la = glassboxLuminance(a), lb = glassboxLuminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}
"""


def open_in_theme(dash_duo, path: str, theme: str, ready: str) -> None:
    """Load ``path`` with ``theme`` remembered, as a returning user would, and wait for ``ready`` and the theme."""
    from dash.testing.wait import until

    dash_duo.driver.get(dash_duo.server_url + path)
    dash_duo.wait_for_element(ready, timeout=90)
    dash_duo.driver.execute_script(
        "window.localStorage.setItem(arguments[0], JSON.stringify(arguments[1]))", ids.THEME_STORE, theme
    )
    dash_duo.driver.refresh()
    dash_duo.wait_for_element(ready, timeout=90)
    until(
        lambda: dash_duo.driver.execute_script("return document.documentElement.dataset.bsTheme") == theme, timeout=10
    )


def text_contrast(dash_duo, selector: str) -> list[dict]:
    """For every element matching ``selector``: its text, text colour, background behind it and contrast ratio."""
    return dash_duo.driver.execute_script(
        _CONTRAST_JS
        + """
        return Array.from(document.querySelectorAll(arguments[0])).map(el => {
            const fg = glassboxRgba(getComputedStyle(el).color), bg = glassboxBackground(el);
            const seen = glassboxOver(fg, bg);
            return {text: el.innerText, colour: fg, background: bg, ratio: glassboxContrast(seen, bg)};
        });
        """,
        selector,
    )


def border_contrast(dash_duo, selector: str) -> list[dict]:
    """For every element matching ``selector`` (hidden ones too, say in an inactive tab, from their computed style):
    its text, border width and the contrast ratio of its edge (border or fill) against the background around it.
    A button with no visible edge reads as plain text."""
    return dash_duo.driver.execute_script(
        _CONTRAST_JS
        + """
        return Array.from(document.querySelectorAll(arguments[0])).map(el => {
            const style = getComputedStyle(el);
            const around = glassboxBackground(el.parentElement);
            const own = glassboxRgba(style.backgroundColor);
            const edge = glassboxOver(glassboxRgba(style.borderTopColor), around);
            const fill = glassboxOver(own, around);
            return {
                text: el.textContent, className: el.className, width: parseFloat(style.borderTopWidth),
                ratio: Math.max(glassboxContrast(edge, around), glassboxContrast(fill, around)),
            };
        });
        """,
        selector,
    )


def axe_results(dash_duo, context: str | dict = "document") -> list[dict]:
    """Run axe-core in the page (injected from the local npm copy) and return its violations.

    ``context``: the whole ``"document"``, or an axe context such as ``{"include": [["#id"]]}``."""
    if not AXE_JS.is_file():
        raise FileNotFoundError(f"{AXE_JS} is missing: run `npm install --no-save --prefix .ci/node axe-core@4`")
    driver = dash_duo.driver
    if not driver.execute_script("return typeof window.axe !== 'undefined'"):
        driver.execute_script(AXE_JS.read_text())
    driver.set_script_timeout(120)
    raw = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        window.axe.run(arguments[0] === "document" ? document : arguments[0], {resultTypes: ["violations"]})
            .then(r => done(JSON.stringify(r.violations)), e => done(JSON.stringify({error: String(e)})));
        """,
        context,
    )
    return json.loads(raw)


def serious(violations: list[dict]) -> list[str]:
    """One line per serious or critical violation: rule id, impact and up to three offending nodes."""
    lines = []
    for v in violations:
        if v.get("impact") in ("serious", "critical"):
            nodes = "; ".join(
                f"{n['target']} {n.get('failureSummary', '').splitlines()[-1].strip()}" for n in v["nodes"][:3]
            )
            lines.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {nodes}")
    return lines


# Chromium hands dash_duo only SEVERE browser logs; console warnings are recorded in the page itself, by a script
# that runs before any of the page's own (so Dash's and the components' start-up warnings are caught too).
_CONSOLE_HOOK = """
window.__glassboxConsole = [];
for (const level of ["warn", "error"]) {
    const original = console[level].bind(console);
    console[level] = function (...args) {
        window.__glassboxConsole.push({level: level === "warn" ? "WARNING" : "SEVERE",
                                      message: args.map(a => { try { return typeof a === "string" ? a : JSON.stringify(a); }
                                                               catch (e) { return String(a); } }).join(" ")});
        return original(...args);
    };
}
window.addEventListener("error", e => window.__glassboxConsole.push({level: "SEVERE", message: String(e.message)}));
window.addEventListener("unhandledrejection", e => window.__glassboxConsole.push({level: "SEVERE", message: String(e.reason)}));
"""


def watch_console(dash_duo) -> None:
    """Record console warnings and errors of every page loaded from now on (call before ``start_server``)."""
    dash_duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _CONSOLE_HOOK})


def console_problems(dash_duo) -> list[str]:
    """Warnings and errors the current page logged, plus the SEVERE entries Chromium reported (failed loads)."""
    recorded = dash_duo.driver.execute_script("return window.__glassboxConsole || []")
    return [f"{e['level']}: {e['message'][:300]}" for e in recorded] + [
        f"{e['level']}: {e['message'][:300]}" for e in dash_duo.get_logs()
    ]
