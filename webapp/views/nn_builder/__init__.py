"""The NN Builder page's views, one module per wizard tab (``parameters``, ``architecture``, ``training``,
``diagnostics``, ``runs``), each holding its tab's layout and callbacks, and one per further intent on a tab
(``upload``: a CSV on the parameters tab; ``live``: watching a run on the training tab); ``layout``
assembles the tabs and ``ids`` names every component.

``load()`` registers the callbacks and returns the layout. Dash's pages loader executes each page module
once per app it builds, and every app takes (and clears) the callbacks registered so far, so the page calls
``load()`` and the tab modules run again for each app, as the page's own code would.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

TABS = ("architecture", "parameters", "upload", "training", "live", "diagnostics", "runs", "layout")


def load() -> Callable:
    """Register the page's callbacks with the app being built; returns the page's ``layout`` function."""
    from webapp.components.theme import follow_theme
    from webapp.views.nn_builder.ids import GRAPHS

    module = None
    for name in TABS:
        qualified = f"{__name__}.{name}"
        module = sys.modules.get(qualified)
        module = importlib.reload(module) if module else importlib.import_module(qualified)
    follow_theme(*GRAPHS)
    return module.layout
