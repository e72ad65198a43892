"""/audit: the audit log for admins — newest first, filtered by actor and by action (a prefix such as ``auth.``).

Refused server-side to anyone below admin (HTTP 403 with the reason), whatever the navbar shows.
"""

from __future__ import annotations

import flask
from markupsafe import Markup
from werkzeug.exceptions import Forbidden

from models import audit
from webapp import services
from webapp.auth import pages
from webapp.identity import require_role

DEFAULT_LIMIT, MAX_LIMIT = 200, 1000

_AUDIT = """<form id="audit-filter" method="get" action="/audit" class="row g-2 align-items-end mb-3">
  <div class="col"><label class="form-label" for="audit-actor">Actor</label>
    <input class="form-control" id="audit-actor" name="actor" value="{{ actor }}" maxlength="200"></div>
  <div class="col"><label class="form-label" for="audit-action">Action (or its start, e.g. auth.)</label>
    <input class="form-control" id="audit-action" name="action" value="{{ action }}" maxlength="64"></div>
  <div class="col-auto"><label class="form-label" for="audit-limit">Rows</label>
    <input class="form-control" id="audit-limit" name="limit" value="{{ limit }}" inputmode="numeric" size="5"></div>
  <div class="col-auto"><button id="audit-apply" class="btn btn-primary" type="submit">Filter</button></div>
</form>
<p id="audit-count">{{ events|length }} event{{ "" if events|length == 1 else "s" }}, newest first.</p>
<table id="audit-table" class="table table-sm">
  <thead><tr><th scope="col">When (UTC)</th><th scope="col">Actor</th><th scope="col">Action</th>
  <th scope="col">Target</th><th scope="col">Detail</th></tr></thead>
  <tbody>
  {% for e in events %}
    <tr><td>{{ e.at.strftime("%Y-%m-%d %H:%M:%S") }}</td><td>{{ e.actor }}</td><td>{{ e.action }}</td>
    <td>{{ e.target or "" }}</td><td><code>{{ e.detail_text }}</code></td></tr>
  {% endfor %}
  </tbody>
</table>
<p><a href="/">Back to Glassbox</a></p>"""


def audit_view():
    try:
        require_role("admin")
    except Forbidden as exc:
        return pages.page("Audit log", status=403, error=exc.description, width="72rem")
    args = flask.request.args
    actor, action, raw_limit = args.get("actor", "").strip(), args.get("action", "").strip(), args.get("limit", "")
    values = {"actor": actor[:200], "action": action[:64], "limit": raw_limit or DEFAULT_LIMIT, "events": []}
    if len(actor) > 200 or len(action) > 64:
        return _page(values, 400, "The actor may have at most 200 characters and the action 64.")
    try:
        limit = int(raw_limit) if raw_limit.strip() else DEFAULT_LIMIT
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError
    except ValueError:
        return _page(values, 400, f"Rows must be a whole number from 1 to {MAX_LIMIT}.")
    events = audit.query(services.engine(), actor=actor or None, action=action or None, limit=limit)
    for event in events:
        event["detail_text"] = ", ".join(f"{k}={v}" for k, v in event["detail"].items())[:500]
    return _page({**values, "limit": limit, "events": events})


def _page(values: dict, status: int = 200, error: str | None = None):
    body = Markup(flask.render_template_string(_AUDIT, **values))
    return pages.page("Audit log", body, status=status, error=error, width="72rem")


def add_routes(blueprint: flask.Blueprint) -> None:
    blueprint.add_url_rule("/audit", "audit", audit_view)
