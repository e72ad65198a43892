"""The audit log: who did what, when — sign-ins, uploads, relabels, undos, trainings, deletions, tokens, roles.

Append-only; one row per action. ``record`` is called by the web layer after the action succeeded (or, for
sign-in failures, after it failed).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

metadata = sa.MetaData()

events = sa.Table(
    "audit_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("actor", sa.String(200), nullable=False, index=True),
    sa.Column("action", sa.String(64), nullable=False, index=True),
    sa.Column("target", sa.String(300), nullable=True),
    sa.Column("detail", sa.Text, nullable=True),
)


def record(engine: Engine, actor: str, action: str, target: str | None = None, **detail) -> None:
    """Append one event, e.g. ``record(engine, "ana", "sentiment.relabel", "dataset:ab12", rows=3)``."""
    row = {
        "at": datetime.now(UTC),
        "actor": actor[:200],
        "action": action[:64],
        "target": None if target is None else str(target)[:300],
        "detail": json.dumps(detail, default=str) if detail else None,
    }
    with engine.begin() as connection:
        connection.execute(events.insert().values(**row))


def query(engine: Engine, actor: str | None = None, action: str | None = None, limit: int = 500) -> list[dict]:
    """The newest events first, optionally filtered by actor and by action (prefix, e.g. ``sentiment.``)."""
    statement = sa.select(events).order_by(events.c.id.desc()).limit(limit)
    if actor:
        statement = statement.where(events.c.actor == actor)
    if action:
        statement = statement.where(events.c.action.startswith(action))
    with engine.connect() as connection:
        return [
            {**row._asdict(), "detail": json.loads(row.detail) if row.detail else {}}
            for row in connection.execute(statement)
        ]
