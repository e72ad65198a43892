"""Logs: access logs as a cross-filtered dashboard; every click filters every other view.

The page's ids, layout and callbacks live in ``webapp.views.logs``, one module per user intent.
"""

import dash

from webapp.views import logs, register_views
from webapp.views.logs.layout import layout

dash.register_page(__name__, path="/logs", name="Logs", order=1, title="Logs · Glassbox")
register_views(logs.__name__, logs.CALLBACK_MODULES)

__all__ = ["layout"]
