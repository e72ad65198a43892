"""The Sentiment page, one module per user intent.

``layout`` builds the page; importing this package registers every callback:
``overview`` (dataset → run, confusion matrix, metrics, before/after), ``selection`` (cell, lasso, table),
``explain`` (one tweet's probabilities and tokens), ``relabel`` (corrections, undo, export),
``retrain`` (background refit) and ``upload`` (a user's own CSV or Parquet).
"""

from webapp.components.theme import follow_theme
from webapp.views.sentiment import explain, overview, relabel, retrain, selection, upload  # noqa: F401  (callbacks)
from webapp.views.sentiment.ids import GRAPHS
from webapp.views.sentiment.layout import layout

__all__ = ["layout"]

follow_theme(*GRAPHS)
