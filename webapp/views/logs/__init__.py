"""The logs page: ids, layout, and one module of callbacks per user intent."""

from webapp.views.logs import live, render, upload, view_state


def register() -> None:
    """Wire every callback of the page into the app being built.

    Dash hands the callbacks declared with ``dash.callback`` to the next app that starts, and
    runs each page module again for every app it builds; the page module calls this, so every
    app (tests build many in one process) gets the page's callbacks once.
    """
    for module in (view_state, render, upload, live):
        module.register()
