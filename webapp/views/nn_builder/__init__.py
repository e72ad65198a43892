"""The NN Builder page's views, one module per wizard tab (``parameters``, ``architecture``, ``training``,
``diagnostics``, ``runs``), each holding its tab's layout and callbacks; ``layout`` assembles the tabs and
``ids`` names every component. Importing the package registers the callbacks."""

from webapp.components.theme import follow_theme
from webapp.views.nn_builder import architecture, diagnostics, parameters, runs, training  # noqa: F401
from webapp.views.nn_builder.ids import GRAPHS
from webapp.views.nn_builder.layout import layout

__all__ = ["layout"]

follow_theme(*GRAPHS)
