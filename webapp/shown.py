"""A callback that has put its message on the page and changes nothing else.

Raising ``PreventUpdate`` after ``set_props`` loses the message: Dash answers 204 and drops the side updates.
A callback raises ``Shown`` instead; the app's ``on_error`` handler (``dash.Dash(on_error=on_error)``) turns it into
"no output changes" while the props set with ``set_props`` still reach the page. Every other exception is raised
again, so a real bug still fails loudly.
"""

from __future__ import annotations


class Shown(Exception):
    """The callback showed a message (``set_props``); leave its outputs as they are."""


def on_error(err: Exception):
    """Dash's app-wide error handler: ``Shown`` → no update; anything else propagates as before."""
    if isinstance(err, Shown):
        return None
    raise err
