"""NN Builder: design a Keras network, train it live and look inside it (views in ``webapp/views/nn_builder``)."""

import dash

from webapp.views.nn_builder import layout

dash.register_page(__name__, path="/nn-builder", name="NN Builder", order=3, title="NN Builder · Glassbox")

__all__ = ["layout"]
