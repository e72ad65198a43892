"""The Sentiment page, one module per user intent.

``layout`` builds the page; ``CALLBACK_MODULES`` declare its callbacks and run through
``webapp.views.register_views``: ``overview`` (dataset → run, first model in a background job, confusion matrix,
metrics, before/after), ``selection`` (cell, lasso, table), ``explain`` (one tweet's probabilities and tokens),
``relabel`` (corrections with their count and confirmation, undo, export), ``retrain`` (background refit),
``upload``, ``label_queue`` (the Label tab: one text at a time, keys answer, retrain every K answers) and
``tickers`` (sentiment over time by cashtag, its export).
"""

CALLBACK_MODULES = (
    "overview",
    "selection",
    "explain",
    "relabel",
    "retrain",
    "upload",
    "sharing",
    "label_queue",
    "tickers",
)
