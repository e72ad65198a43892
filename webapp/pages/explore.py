"""Explore: the seed talk's three small interactive explainers, linked the Dash way.

The page's ids, layout and callbacks live in ``webapp.views.explore``, one module per explainer.
"""

import dash

from webapp.views import explore, register_views

dash.register_page(__name__, path="/explore", name="Explore", order=4, title="Explore · Glassbox")
register_views(explore.__name__, explore.CALLBACK_MODULES)

from webapp.views.explore.layout import layout  # noqa: E402  (after the run above, so it is this app's)

__all__ = ["layout"]
