"""The scripts Dash puts on every page, less @babel/polyfill: the browser's own builtins are faster.

Dash serves @babel/polyfill (core-js 2 and regenerator-runtime) before every other script. The browsers Glassbox
supports have those builtins natively, yet core-js 2 replaces several of them: it finds the native
``String.prototype.trim`` wrong (it still counts U+180E as a space, which Unicode 6.3 stopped doing), so it swaps in
its own ``trim``, ``parseInt`` and ``parseFloat`` (regex-based), and the Array iterators. Plotly parses every
colour through those on each redraw, and a replaced Array iterator turns off V8's fast array iteration for the
page's life. On the logs page (10M events, 30 clicks) dropping it took click → repaint p50 from 231/230 to
207/213 ms and the page's main-thread CPU per click from 271/263 to 238/246 ms.

All Dash's bundles need from it is the global ``regeneratorRuntime`` (their lazy-component loader is compiled to
it): ``assets/vendor/regenerator-runtime.js`` defines it, and Dash loads assets before its renderer starts.
"""

from __future__ import annotations

from dash import _dash_renderer

POLYFILL = "polyfill@"


def drop_babel_polyfill() -> None:
    """Take @babel/polyfill out of the scripts Dash serves (local and CDN, dev and prod bundles); idempotent."""
    for dependency in _dash_renderer._js_dist_dependencies:
        for key in ("external_url", "relative_package_path"):
            by_mode = dependency.get(key, {})
            for mode, paths in by_mode.items():
                if isinstance(paths, list):
                    by_mode[mode] = [path for path in paths if POLYFILL not in path]
