"""The NN Builder page's views, one module per wizard tab (``parameters``, ``architecture``, ``training``,
``diagnostics``, ``runs``), each holding its tab's layout and callbacks, and one per further intent on a tab
(``upload``: a CSV on the parameters tab; ``sharing``: who sees the chosen upload; ``live``: watching a run on
the training tab); ``layout`` assembles the tabs and ``ids`` names every component.

The page module runs ``CALLBACK_MODULES`` through ``webapp.views.register_views`` for each app; ``layout`` runs
last, after the tab modules it assembles.
"""

CALLBACK_MODULES = (
    "architecture",
    "parameters",
    "upload",
    "sharing",
    "training",
    "live",
    "diagnostics",
    "runs",
    "layout",
)
