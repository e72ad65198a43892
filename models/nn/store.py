"""NN Builder runs, kept in the app's database (SQLite or PostgreSQL) beside the sentiment tables.

A run row holds what the Runs tab lists and overlays: the spec, the per-epoch metrics (without
histograms; those stay in the run's folder), the final metrics, the time and how it ended. The
fitted model and full records lie in the folder named by ``path``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from models import migrations
from models.access import LOCAL_USER, PRIVATE, User
from models.ownership import check_visibility, owner_columns, visible_clause

metadata = sa.MetaData()

runs = sa.Table(
    "nn_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("dataset", sa.String(200), nullable=False, index=True),
    sa.Column("task", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("spec", sa.Text, nullable=False),
    sa.Column("epochs", sa.Text, nullable=False),
    sa.Column("final", sa.Text, nullable=False),
    sa.Column("seconds", sa.Float, nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    *owner_columns(),
)

LIST_COLUMNS = (
    "id",
    "created_at",
    "dataset",
    "task",
    "status",
    "network",
    "epochs",
    "val_loss",
    "metric",
    "val_metric",
    "seconds",
    "owner",
    "visibility",
)


def init_db(engine: Engine) -> None:
    """Make sure the schema is current: an empty database is migrated to the newest revision; one behind it
    is refused with a message naming ``glassbox db upgrade`` (``models.migrations``)."""
    migrations.ensure_current(engine)


def network_summary(spec: dict) -> str:
    """A spec's hidden layers in a few words, e.g. ``"64 relu → 64 relu (BN) → 32 tanh (drop 0.2)"``."""
    parts = []
    for layer in spec.get("layers", []):
        text = f"{layer.get('units')} {layer.get('activation')}"
        if layer.get("batch_norm"):
            text += " (BN)"
        if layer.get("dropout"):
            text += f" (drop {layer['dropout']:g})"
        parts.append(text)
    return " → ".join(parts) or "no hidden layer"


MAX_RUN_ID = 2**63 - 1  # the database's integer range


def parse_run_id(value) -> int | None:
    """A run id from an int or a string of digits, within the id range; ``None`` for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and 1 <= value <= MAX_RUN_ID:
        return value
    return None


class RunStore:
    """Training runs of one database; every method is one short transaction."""

    def __init__(self, engine: Engine):
        self.engine = engine
        init_db(engine)

    def add(
        self,
        dataset: str,
        task: str,
        spec: dict,
        epochs: list[dict],
        final: dict,
        seconds: float,
        status: str,
        path: str,
        reason: str | None = None,
        owner: str = LOCAL_USER.name,
        visibility: str = PRIVATE,
    ) -> int:
        """Record a run; returns its id.

        Args:
            epochs: Per-epoch metrics (``Result.epochs()``), in order.
            final: ``Result.final``.
            owner, visibility: Who trained it, and who else may see it.
        """
        check_visibility(visibility)
        with self.engine.begin() as conn:
            return int(
                conn.execute(
                    runs.insert().values(
                        created_at=datetime.now(UTC),
                        dataset=dataset,
                        task=task,
                        status=status,
                        reason=reason,
                        spec=json.dumps(spec),
                        epochs=json.dumps(epochs),
                        final=json.dumps(final),
                        seconds=float(seconds),
                        path=str(path),
                        owner=str(owner)[:200],
                        visibility=visibility,
                    )
                ).inserted_primary_key[0]
            )

    def add_result(self, result, path: str, owner: str = LOCAL_USER.name, visibility: str = PRIVATE) -> int:
        """Record a ``models.nn.train.Result`` saved at ``path``, trained by ``owner``."""
        return self.add(
            result.data["name"],
            result.data["task"],
            result.spec,
            result.epochs(),
            result.final,
            result.seconds,
            result.status,
            path,
            result.reason,
            owner,
            visibility,
        )

    @staticmethod
    def _row(row) -> dict | None:
        if row is None:
            return None
        out = dict(row._mapping)
        for key in ("spec", "epochs", "final"):
            out[key] = json.loads(out[key])
        return out

    def get(self, run_id, user: User = LOCAL_USER) -> dict | None:
        """A run ``user`` may see with ``spec``, ``epochs`` and ``final`` decoded, or ``None`` when there is none
        by that id (or it is another user's private run).

        ``run_id`` may come from a client: anything but a whole number in the id range (``"1 OR 1=1"``, ``1.5``,
        ``True``, ``None``) names no run.
        """
        run_id = parse_run_id(run_id)
        if run_id is None:
            return None
        with self.engine.connect() as conn:
            return self._row(
                conn.execute(sa.select(runs).where(runs.c.id == run_id, visible_clause(runs, user))).first()
            )

    def list(self, dataset: str | None = None, limit: int = 200, user: User = LOCAL_USER) -> pd.DataFrame:
        """The runs ``user`` may see, newest first.

        Returns:
            DataFrame with columns id, created_at, dataset, task, status, network (``network_summary``),
            epochs (trained), val_loss, metric (``"r2"`` or ``"accuracy"``), val_metric (last epoch), seconds,
            owner (who trained it), visibility.
        """
        query = sa.select(
            runs.c.id,
            runs.c.created_at,
            runs.c.dataset,
            runs.c.task,
            runs.c.status,
            runs.c.spec,
            runs.c.final,
            runs.c.seconds,
            runs.c.owner,
            runs.c.visibility,
        ).where(visible_clause(runs, user))
        if dataset is not None:
            query = query.where(runs.c.dataset == dataset)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(runs.c.id.desc()).limit(int(limit))).fetchall()
        records = []
        for row in rows:
            final = json.loads(row.final)
            records.append(
                {
                    "id": row.id,
                    "created_at": row.created_at,
                    "dataset": row.dataset,
                    "task": row.task,
                    "status": row.status,
                    "network": network_summary(json.loads(row.spec)),
                    "epochs": final.get("epochs"),
                    "val_loss": final.get("val_loss"),
                    "metric": final.get("metric"),
                    "val_metric": final.get("val_metric"),
                    "seconds": row.seconds,
                    "owner": row.owner,
                    "visibility": row.visibility,
                }
            )
        return pd.DataFrame(records, columns=list(LIST_COLUMNS))
