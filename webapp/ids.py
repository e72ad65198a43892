"""Component ids of the app shell. Pages keep theirs in their own module, prefixed by page."""

NAVBAR = "shell-navbar"
THEME_SWITCH = "shell-theme-switch"
# A dcc.Store in localStorage under this key; the inline script in layout.INDEX_STRING reads it too.
THEME_STORE = "glassbox-theme"
# Sign-in (webapp.auth): who is signed in, sign out, the account page link, the "sign-in is off" banner.
NAV_USER = "shell-nav-user"
NAV_SIGN_OUT = "shell-nav-sign-out"
NAV_AUDIT = "shell-nav-audit"
AUTH_OFF_BANNER = "shell-auth-off-banner"
