"""The logs page: ids, layout, and one module of callbacks per user intent.

``CALLBACK_MODULES`` (``view_state``: the URL and clicks → the view; ``render``: the view → figures and table;
``zoom``: the zoomed time series' finer points; ``upload``: chunked uploads; ``live``: following a server file)
run through ``webapp.views.register_views``.
"""

CALLBACK_MODULES = ("view_state", "render", "zoom", "upload", "live")
