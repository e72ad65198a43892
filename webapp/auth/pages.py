"""The few plain HTML pages sign-in needs (sign-in form, messages): no script at all, so the app's CSP holds."""

from __future__ import annotations

import flask

_PAGE = """<!DOCTYPE html>
<html lang="en" data-bs-theme="dark">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{{ title }} · Glassbox</title>
  <link rel="stylesheet" href="/assets/bootstrap.min.css">
  <link rel="icon" href="/assets/favicon.ico">
</head>
<body>
<main class="container py-5" style="max-width: {{ width }}">
  <h1 class="h3 mb-4">Glassbox</h1>
  <h2 class="h5 mb-3">{{ title }}</h2>
  {% if error %}<div id="auth-error" class="alert alert-danger" role="alert">{{ error }}</div>{% endif %}
  {% if note %}<div id="auth-note" class="alert alert-info" role="status">{{ note }}</div>{% endif %}
  {{ body }}
</main>
</body>
</html>"""

_PASSWORD_FORM = """<form id="login-form" method="post" action="/login" novalidate>
  <input type="hidden" name="csrf" value="{{ csrf }}">
  <input type="hidden" name="next" value="{{ next }}">
  <div class="mb-3">
    <label class="form-label" for="login-name">User name</label>
    <input class="form-control" id="login-name" name="name" autocomplete="username" required
           value="{{ name }}" maxlength="200" autofocus>
  </div>
  <div class="mb-3">
    <label class="form-label" for="login-password">Password</label>
    <input class="form-control" id="login-password" name="password" type="password"
           autocomplete="current-password" required maxlength="1024">
  </div>
  <button id="login-submit" class="btn btn-primary" type="submit">Sign in</button>
</form>"""

_LINK = """<a id="{{ id }}" class="btn btn-primary" href="{{ href }}">{{ label }}</a>"""

_SIGN_OUT_FORM = """<form id="logout-form" method="post" action="/logout">
  <input type="hidden" name="csrf" value="{{ csrf }}">
  <button id="logout-submit" class="btn btn-primary" type="submit">Sign out</button>
</form>"""


def page(
    title: str, body: str = "", status: int = 200, error: str | None = None, note: str | None = None, width="26rem"
):
    html = flask.render_template_string(_PAGE, title=title, body=body, error=error, note=note, width=width)
    response = flask.make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def fragment(template: str, **values):
    from markupsafe import Markup

    return Markup(flask.render_template_string(template, **values))


def password_form(csrf: str, next_path: str, name: str = ""):
    return fragment(_PASSWORD_FORM, csrf=csrf, next=next_path, name=name)


def link(id_: str, href: str, label: str):
    return fragment(_LINK, id=id_, href=href, label=label)


def sign_out_form(csrf: str):
    return fragment(_SIGN_OUT_FORM, csrf=csrf)
