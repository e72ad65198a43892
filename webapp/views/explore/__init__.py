"""The Explore page: three small explainers, one module of callbacks each.

``layout`` builds the page; ``CALLBACK_MODULES`` declare its callbacks and run through
``webapp.views.register_views``: ``normal`` (the density redrawn in the browser, ``assets/explore.js``),
``kernel`` (editing the points, the bandwidth slider and box, the fit), ``index`` (the interval from a drag or the
window controls, the chart and its caption) and ``layout`` (the three graphs follow the theme switch).
"""

CALLBACK_MODULES = ("normal", "kernel", "index", "layout")
