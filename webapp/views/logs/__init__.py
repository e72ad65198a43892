"""The logs page: ids, layout, and one module of callbacks per user intent.

``CALLBACK_MODULES`` (``view_state``: the URL and clicks → the view; ``render``: the view → figures and table;
``zoom``: the zoomed time series' finer points; ``upload``: chunked uploads; ``live``: following a server file; ``prepare``: parsing a source that is not
stored yet, in a background job with progress, or building a Parquet dataset's cube on Dask) run through ``webapp.views.register_views``.
"""

CALLBACK_MODULES = ("view_state", "render", "zoom", "upload", "live", "prepare", "sharing")
