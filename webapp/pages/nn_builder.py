"""NN Builder: design a Keras network, train it live and look inside it (views in ``webapp/views/nn_builder``)."""

import dash

from webapp.views import nn_builder as views

dash.register_page(__name__, path="/nn-builder", name="NN Builder", order=3, title="NN Builder · Glassbox")

layout = views.load()
