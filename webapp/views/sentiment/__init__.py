"""The Sentiment page, one module per user intent.

``layout`` builds the page; ``register_callbacks`` registers every callback:
``overview`` (dataset → run, first model in a background job, confusion matrix, metrics, before/after),
``selection`` (cell, lasso, table), ``explain`` (one tweet's probabilities and tokens), ``relabel``
(corrections with their count and confirmation, undo, export), ``retrain`` (background refit) and ``upload``.
"""

from __future__ import annotations

import importlib
import sys

from webapp.components.theme import follow_theme
from webapp.views.sentiment.ids import GRAPHS
from webapp.views.sentiment.layout import layout

CALLBACK_MODULES = ("overview", "selection", "explain", "relabel", "retrain", "upload")


def register_callbacks() -> None:
    """Register the page's callbacks with the app being built.

    Dash hands globally declared callbacks to the first app that starts and then forgets them, and its pages
    loader runs the page module once per app; so the page module calls this, and the callback modules are
    executed again for each app (tests build several apps in one process).
    """
    for name in CALLBACK_MODULES:
        module = f"{__name__}.{name}"
        if module in sys.modules:
            importlib.reload(sys.modules[module])
        else:
            importlib.import_module(module)
    follow_theme(*GRAPHS)


__all__ = ["layout", "register_callbacks"]
