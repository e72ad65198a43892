"""Sentiment: where and why the tweet classifier errs, and fixing mislabeled tweets, then retraining.

The page's layout and callbacks live in ``webapp.views.sentiment``, one module per user intent.
"""

import dash

from webapp.views.sentiment import layout, register_callbacks

dash.register_page(__name__, path="/sentiment", name="Sentiment", order=2, title="Sentiment · Glassbox")
register_callbacks()

__all__ = ["layout"]
