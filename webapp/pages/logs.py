"""Logs: access logs as a cross-filtered dashboard; every click filters every other view.

The page's ids, layout and callbacks live in ``webapp.views.logs``, one module per user intent.
"""

import dash

from webapp.views.logs import register
from webapp.views.logs.layout import layout  # noqa: F401  (Dash Pages reads the module's layout)

dash.register_page(__name__, path="/logs", name="Logs", order=1, title="Logs · Glassbox")
register()
