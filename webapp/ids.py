"""Component ids of the app shell. Pages keep theirs in their own module, prefixed by page."""

NAVBAR = "shell-navbar"
THEME_SWITCH = "shell-theme-switch"
# A dcc.Store in localStorage under this key; the inline script in layout.INDEX_STRING reads it too.
THEME_STORE = "glassbox-theme"
