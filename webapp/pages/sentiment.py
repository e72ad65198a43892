"""Sentiment: where and why the tweet classifier errs, and fixing mislabeled tweets, then retraining.

The page's layout and callbacks live in ``webapp.views.sentiment``, one module per user intent.
"""

import dash

from webapp.views import register_views, sentiment
from webapp.views.sentiment.layout import layout

dash.register_page(__name__, path="/sentiment", name="Sentiment", order=2, title="Sentiment · Glassbox")
register_views(sentiment.__name__, sentiment.CALLBACK_MODULES)

__all__ = ["layout"]
