"""NN Builder: design a Keras network, train it live and look inside it.

The page's ids, layout and callbacks live in ``webapp.views.nn_builder``, one module per wizard tab.
"""

import dash

from webapp.views import nn_builder, register_views

dash.register_page(__name__, path="/nn-builder", name="NN Builder", order=3, title="NN Builder · Glassbox")
register_views(nn_builder.__name__, nn_builder.CALLBACK_MODULES)

from webapp.views.nn_builder.layout import layout  # noqa: E402  (after the run above, so it is this app's)

__all__ = ["layout"]
