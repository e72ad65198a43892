"""The logs page: ids, layout, and one module of callbacks per user intent.

Importing the package registers every callback of the page.
"""

from webapp.views.logs import live, render, upload, view_state  # noqa: F401  (registers the callbacks)
