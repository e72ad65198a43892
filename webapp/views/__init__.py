"""The pages' callbacks and layouts, one package per page split by user intent.

A page module (``webapp/pages/<page>.py``) keeps ``register_page`` and ``layout`` and calls ``register_views``
for its package's callback modules.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable


def register_views(package: str, modules: Iterable[str]) -> None:
    """Run a page's callback modules, so their callbacks go to the app being built.

    Dash hands the callbacks declared with ``dash.callback`` to the next app that sets up and then forgets
    them, and its pages loader runs each page module once per app it builds. The page module calls this, and
    each callback module runs again (a reload after the first import), so every app (tests build many in one
    process) gets the page's callbacks exactly once.

    Args:
        package: The page's views package, e.g. ``"webapp.views.logs"``.
        modules: Names of its modules that declare callbacks, in the order to run them.
    """
    for name in modules:
        qualified = f"{package}.{name}"
        if qualified in sys.modules:
            importlib.reload(sys.modules[qualified])
        else:
            importlib.import_module(qualified)
