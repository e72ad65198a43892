"""/account: who you are, and your personal API tokens (create: shown once; revoke). Plain HTML forms with the
session's CSRF token, like the sign-in page; only when sign-in is on."""

from __future__ import annotations

import flask
from markupsafe import Markup

from models import accounts, audit
from webapp import services
from webapp.auth import pages, session
from webapp.identity import current_user

MAX_ID = 2**63 - 1  # the database's integer range
_ACCOUNT = """<p id="account-user">Signed in as <strong>{{ user.name }}</strong> ({{ user.role }}).</p>
{% if token %}
<div id="new-token" class="alert alert-success" role="status">
  <p class="mb-1">Your new token <strong>{{ token_name }}</strong> (id {{ token_id }}). Copy it now: it is not shown
  again.</p>
  <code id="new-token-value" class="user-select-all">{{ token }}</code>
  <p class="mt-2 mb-0 small">Use it as <code>Authorization: Bearer &lt;token&gt;</code>.</p>
</div>
{% endif %}
<h3 class="h6 mt-4">API tokens</h3>
<table id="token-table" class="table table-sm">
  <thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Created</th>
  <th scope="col">Last used</th><th scope="col">State</th></tr></thead>
  <tbody>
  {% for t in tokens %}
    <tr><td>{{ t.id }}</td><td>{{ t.name }}</td><td>{{ t.created_at.strftime("%Y-%m-%d %H:%M") }}</td>
    <td>{{ t.last_used_at.strftime("%Y-%m-%d %H:%M") if t.last_used_at else "never" }}</td>
    <td>{% if t.revoked_at %}revoked{% else %}
      <form method="post" action="/account/tokens/{{ t.id }}/revoke" class="d-inline">
        <input type="hidden" name="csrf" value="{{ csrf }}">
        <button class="btn btn-sm btn-outline-danger" type="submit" id="revoke-{{ t.id }}">Revoke</button>
      </form>{% endif %}</td></tr>
  {% else %}
    <tr><td colspan="5">No tokens yet.</td></tr>
  {% endfor %}
  </tbody>
</table>
<form id="token-form" method="post" action="/account/tokens">
  <input type="hidden" name="csrf" value="{{ csrf }}">
  <label class="form-label" for="token-name">New token's name</label>
  <div class="d-flex gap-2">
    <input class="form-control" id="token-name" name="name" maxlength="100" placeholder="e.g. laptop">
    <button id="token-create" class="btn btn-primary" type="submit">Create token</button>
  </div>
</form>
<p class="mt-4"><a href="/">Back to Glassbox</a></p>"""


def _page(status: int = 200, error: str | None = None, **new):
    user = current_user()
    tokens = accounts.list_tokens(services.engine(), user.name)
    body = Markup(flask.render_template_string(_ACCOUNT, user=user, tokens=tokens, csrf=session.csrf_token(), **new))
    return pages.page("Your account", body, status=status, error=error, width="48rem")


def account():
    return _page()


def create():
    user = current_user()
    if not session.csrf_ok(flask.request.form.get("csrf")):
        return _page(400, "The form expired; try again.")
    name = str(flask.request.form.get("name", "")).strip()[:100] or "token"
    engine = services.engine()
    try:
        token_id, token = accounts.create_token(engine, user.name, name)
    except accounts.AccountError as exc:  # an OIDC/proxy user is recorded at sign-in; a deleted one is not
        return _page(400, str(exc))
    audit.record(engine, user.name, "token.create", f"token:{token_id}", name=name)
    return _page(token=token, token_id=token_id, token_name=name)


def revoke(token_id: int):
    user = current_user()
    if not session.csrf_ok(flask.request.form.get("csrf")):
        return _page(400, "The form expired; try again.")
    engine = services.engine()
    if token_id > MAX_ID:
        return _page(404, f"There is no token {token_id} of {user.name!r}.")
    try:
        accounts.revoke_token(engine, token_id, user.name)
    except accounts.AccountError as exc:
        return _page(404, str(exc))
    audit.record(engine, user.name, "token.revoke", f"token:{token_id}")
    return flask.redirect("/account", 303)


def add_routes(blueprint: flask.Blueprint) -> None:
    blueprint.add_url_rule("/account", "account", account)
    blueprint.add_url_rule("/account/tokens", "token_create", create, methods=["POST"])
    blueprint.add_url_rule("/account/tokens/<int:token_id>/revoke", "token_revoke", revoke, methods=["POST"])
