"""The app shell: navbar, theme switch, page container. Pages live in ``webapp/pages``."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import flask
from dash import Input, Output, dcc, html
from werkzeug.exceptions import Unauthorized

from webapp import ids
from webapp.auth import session as auth_session
from webapp.identity import current_user

# The stored theme is applied by an inline script before first paint, so a light-theme user
# never sees a dark flash while Dash boots.
INDEX_STRING = """<!DOCTYPE html>
<html lang="en" data-bs-theme="dark" data-ag-theme-mode="dark">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
        <script>
            (function () {
                var theme = "dark";
                try { theme = JSON.parse(window.localStorage.getItem("THEME_STORE")) || "dark"; } catch (e) {}
                theme = theme === "light" ? "light" : "dark";
                document.documentElement.setAttribute("data-bs-theme", theme);
                document.documentElement.setAttribute("data-ag-theme-mode", theme);
            })();
        </script>
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>""".replace("THEME_STORE", ids.THEME_STORE)


def _nav_links() -> list:
    pages = sorted(
        (p for p in dash.page_registry.values() if p["path"] != "/404"),
        key=lambda p: (p.get("order") is None, p.get("order") or 0, p["name"]),
    )
    return [
        dbc.NavItem(
            dbc.NavLink(
                page["name"], href=page["relative_path"], active="exact", id=f"nav-{page['module'].split('.')[-1]}"
            )
        )
        for page in pages
    ]


def _account() -> list:
    """Who is signed in, with their role, a link to their account page and a sign-out button (a POST form with
    the session's CSRF token: a link on another site cannot sign anyone out). Nothing when sign-in is off."""
    config = flask.current_app.config
    mode = config.get("AUTH_MODE", "none")
    if mode == "none" or not flask.has_request_context():
        return []
    try:
        user = current_user()
    except Unauthorized:  # Dash validating the layout outside a user's request
        return []
    if mode == "proxy":
        sign_out = html.A(
            "Sign out",
            href=config.get("PROXY_SIGN_OUT_URL") or "/logout",
            id=ids.NAV_SIGN_OUT,
            className="btn btn-sm btn-outline-secondary",
        )
    else:
        sign_out = html.Form(
            [
                dcc.Input(type="hidden", name="csrf", value=auth_session.csrf_token()),
                html.Button(
                    "Sign out", type="submit", id=ids.NAV_SIGN_OUT, className="btn btn-sm btn-outline-secondary"
                ),
            ],
            method="POST",
            action="/logout",
            className="mb-0",
        )
    audit_link = [html.A("Audit", href="/audit", id=ids.NAV_AUDIT, className="nav-link me-2")] if user.is_admin else []
    return [
        *audit_link,
        html.A(
            [html.Span(user.name, className="fw-semibold"), f" ({user.role})"],
            href="/account",
            id=ids.NAV_USER,
            className="nav-link me-2",
            title="Your account and API tokens",
        ),
        sign_out,
    ]


def _banner() -> list:
    if not flask.current_app.config.get("AUTH_BANNER"):
        return []
    return [
        dbc.Alert(
            "Sign-in is off: anyone who can reach this server can see and change everything. "
            "Set GLASSBOX_AUTH to password, oidc or proxy.",
            id=ids.AUTH_OFF_BANNER,
            color="warning",
            class_name="rounded-0 mb-0 py-2 text-center",
        )
    ]


def shell() -> html.Div:
    """The layout around every page; built per page load so it lists every registered page."""
    navbar = dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand("Glassbox", href="/", class_name="fw-bold"),
                dbc.Nav(_nav_links(), navbar=True, class_name="me-auto"),
                dbc.Switch(id=ids.THEME_SWITCH, label="Dark", value=True, class_name="mb-0 me-3 text-body-secondary"),
                html.Div(_account(), className="d-flex align-items-center"),
            ],
            fluid=True,
        ),
        id=ids.NAVBAR,
        # dbc's Navbar defaults to dark=True, which adds `navbar-dark` (white text in every theme); without it,
        # Bootstrap 5.3 colours the brand and links from the colour mode. dbc only turns its named colours into
        # classes (anything else becomes an inline background), so the tertiary background is given as the CSS
        # variable, which follows the theme too.
        dark=False,
        color="var(--bs-tertiary-bg)",
        class_name="border-bottom mb-3",
    )
    return html.Div(
        [
            dcc.Store(id=ids.THEME_STORE, storage_type="local"),
            *_banner(),
            navbar,
            # The page's content is the main landmark (axe: landmark-one-main, region): screen readers jump to it.
            html.Main(dbc.Container(dash.page_container, fluid=True, class_name="pb-4")),
        ]
    )


def register_callbacks(app: dash.Dash) -> None:
    """Shell callbacks, bound to this app (not global) so every app built by the factory gets them."""
    app.clientside_callback(
        """
        function (dark, stored) {
            const ctx = window.dash_clientside.callback_context;
            const fromSwitch = ctx.triggered.some(t => t.prop_id === "SWITCH.value");
            const theme = fromSwitch ? (dark ? "dark" : "light") : (stored === "light" ? "light" : "dark");
            document.documentElement.setAttribute("data-bs-theme", theme);
            document.documentElement.setAttribute("data-ag-theme-mode", theme);
            return [theme === "dark", theme];
        }
        """.replace("SWITCH", ids.THEME_SWITCH),
        Output(ids.THEME_SWITCH, "value"),
        Output(ids.THEME_STORE, "data"),
        Input(ids.THEME_SWITCH, "value"),
        Input(ids.THEME_STORE, "data"),
    )
