"""The app shell: navbar, theme switch, page container. Pages live in ``webapp/pages``."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html

from webapp import ids

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


def shell() -> html.Div:
    """The layout around every page; built per page load so it lists every registered page."""
    navbar = dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand("Glassbox", href="/", class_name="fw-bold"),
                dbc.Nav(_nav_links(), navbar=True, class_name="me-auto"),
                dbc.Switch(id=ids.THEME_SWITCH, label="Dark", value=True, class_name="mb-0 text-body-secondary"),
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
            navbar,
            dbc.Container(dash.page_container, fluid=True, class_name="pb-4"),
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
