"""Label corrections and trained-model runs, kept in the app's database (SQLite or PostgreSQL).

Corrections are append-only: undo stamps a batch as undone instead of deleting it, so the
history of who-changed-what survives and nothing stored is ever lost. The effective label of a
row is its newest correction that is not undone, else the dataset's own label.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from models import migrations
from models.access import LEGACY_OWNER, LOCAL_USER, PRIVATE, User
from models.ownership import check_visibility, owner_columns, visible_clause
from models.sentiment.labels import LABELS

metadata = sa.MetaData()

corrections = sa.Table(
    "sentiment_corrections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("dataset", sa.String(64), nullable=False, index=True),
    sa.Column("row", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("old_label", sa.String(16), nullable=False),
    sa.Column("new_label", sa.String(16), nullable=False),
    sa.Column("batch", sa.String(32), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("author", sa.String(200), nullable=False, server_default=LEGACY_OWNER, index=True),
)

runs = sa.Table(
    "sentiment_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("dataset", sa.String(64), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("params", sa.Text, nullable=False),
    sa.Column("metrics", sa.Text, nullable=False),
    sa.Column("corrections", sa.Integer, nullable=False),
    sa.Column("seconds", sa.Float, nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    *owner_columns(),
)


def _now() -> datetime:
    return datetime.now(UTC)


def init_db(engine: Engine) -> None:
    """Make sure the schema is current: an empty database is migrated to the newest revision; one behind it
    is refused with a message naming ``glassbox db upgrade`` (``models.migrations``)."""
    migrations.ensure_current(engine)


class CorrectionStore:
    """Corrections of one database; every method is one short transaction."""

    def __init__(self, engine: Engine):
        self.engine = engine
        init_db(engine)

    def relabel(self, dataset: str, rows, texts, old_labels, new_label: str, author: str = LOCAL_USER.name) -> str:
        """Record new labels for ``rows`` as one batch (one undo step) by ``author``; returns the batch id.

        Rows whose current label already is ``new_label`` are skipped.

        Raises:
            ValueError: ``new_label`` is not a class, or rows/texts/old_labels differ in length.
        """
        if new_label not in LABELS:
            raise ValueError(f"{new_label!r} is not one of {', '.join(LABELS)}.")
        rows, texts, old_labels = list(rows), list(texts), list(old_labels)
        if not len(rows) == len(texts) == len(old_labels):
            raise ValueError("rows, texts and old_labels must have the same length")
        batch = uuid.uuid4().hex
        now = _now()
        values = [
            {
                "dataset": dataset,
                "row": int(r),
                "text": str(t),
                "old_label": str(o),
                "new_label": new_label,
                "batch": batch,
                "created_at": now,
                "author": str(author)[:200],
            }
            for r, t, o in zip(rows, texts, old_labels)
            if o != new_label
        ]
        if values:
            with self.engine.begin() as conn:
                conn.execute(corrections.insert(), values)
        return batch

    def undo(self, dataset: str, user: User = LOCAL_USER) -> int:
        """Undo ``user``'s newest batch of ``dataset`` not undone yet (an admin: anyone's); returns its row count."""
        return self.undo_batch(dataset, user)[0]

    def undo_batch(self, dataset: str, user: User = LOCAL_USER, batch: str | None = None) -> tuple[int, str | None]:
        """Undo ``user``'s newest batch of ``dataset`` that is not undone yet (an admin's: anyone's newest), or the
        batch ``batch`` (the labelling queue's own last answer) when it is theirs.

        Returns:
            ``(rows, author)``: how many rows the batch held (0 when there was none) and whose batch it was.
        """
        query = sa.select(corrections.c.batch, corrections.c.author).where(
            corrections.c.dataset == dataset, corrections.c.undone_at.is_(None)
        )
        if batch is not None:
            query = query.where(corrections.c.batch == batch)
        if not user.is_admin:
            query = query.where(corrections.c.author == user.name)
        with self.engine.begin() as conn:
            found = conn.execute(query.order_by(corrections.c.id.desc()).limit(1)).first()
            if found is None:
                return 0, None
            undone = conn.execute(
                corrections.update()
                .where(corrections.c.batch == found.batch, corrections.c.undone_at.is_(None))
                .values(undone_at=_now())
            ).rowcount
            return undone, found.author

    def history(self, dataset: str) -> pd.DataFrame:
        """Every correction of ``dataset``, newest first, undone ones included.

        Returns:
            DataFrame with columns id, row, text, old_label, new_label, batch, author, created_at, undone_at.
        """
        with self.engine.connect() as conn:
            result = conn.execute(
                sa.select(
                    corrections.c.id,
                    corrections.c.row,
                    corrections.c.text,
                    corrections.c.old_label,
                    corrections.c.new_label,
                    corrections.c.batch,
                    corrections.c.author,
                    corrections.c.created_at,
                    corrections.c.undone_at,
                )
                .where(corrections.c.dataset == dataset)
                .order_by(corrections.c.id.desc())
            )
            return pd.DataFrame(result.fetchall(), columns=list(result.keys()))

    def effective(self, dataset: str) -> dict[int, int]:
        """Row → class index of the newest correction not undone, for corrected rows only."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(corrections.c.row, corrections.c.new_label)
                .where(corrections.c.dataset == dataset, corrections.c.undone_at.is_(None))
                .order_by(corrections.c.id)
            ).fetchall()
        return {int(row): LABELS.index(label) for row, label in rows}  # later ids overwrite earlier

    def authors(self, dataset: str) -> dict[int, str]:
        """Row → author of its effective correction (the newest not undone), for corrected rows only."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(corrections.c.row, corrections.c.author)
                .where(corrections.c.dataset == dataset, corrections.c.undone_at.is_(None))
                .order_by(corrections.c.id)
            ).fetchall()
        return {int(row): author for row, author in rows}

    def apply(self, dataset: str, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The dataset's labels with its corrections applied, and a mask of the corrected rows."""
        labels = np.array(labels, copy=True)
        fixed = self.effective(dataset)
        mask = np.zeros(len(labels), dtype=bool)
        if fixed:
            rows = np.fromiter(fixed.keys(), dtype=np.int64)
            ok = rows < len(labels)
            rows, new = rows[ok], np.fromiter(fixed.values(), dtype=np.int8)[ok]
            labels[rows] = new
            mask[rows] = True
        return labels, mask


class RunStore:
    """Trained-model runs: parameters, metrics and where the fitted model lies."""

    def __init__(self, engine: Engine):
        self.engine = engine
        init_db(engine)

    def add(
        self,
        dataset: str,
        params: dict,
        metrics: dict,
        corrections_count: int,
        seconds: float,
        path: str,
        owner: str = LOCAL_USER.name,
        visibility: str = PRIVATE,
    ) -> int:
        check_visibility(visibility)
        with self.engine.begin() as conn:
            return conn.execute(
                runs.insert().values(
                    dataset=dataset,
                    created_at=_now(),
                    params=json.dumps(params),
                    metrics=json.dumps(metrics),
                    corrections=corrections_count,
                    seconds=seconds,
                    path=path,
                    owner=str(owner)[:200],
                    visibility=visibility,
                )
            ).inserted_primary_key[0]

    def _row(self, row) -> dict | None:
        if row is None:
            return None
        out = dict(row._mapping)
        out["params"], out["metrics"] = json.loads(out["params"]), json.loads(out["metrics"])
        return out

    def get(self, run_id: int, user: User = LOCAL_USER) -> dict | None:
        """A run ``user`` may see, or ``None``."""
        with self.engine.connect() as conn:
            return self._row(
                conn.execute(sa.select(runs).where(runs.c.id == int(run_id), visible_clause(runs, user))).first()
            )

    def history(self, dataset: str, user: User = LOCAL_USER) -> list[dict]:
        """Every run of ``dataset`` that ``user`` may see, oldest first (the labelling queue's learning curve)."""
        query = sa.select(runs).where(runs.c.dataset == dataset, visible_clause(runs, user)).order_by(runs.c.id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).fetchall()
        return [self._row(row) for row in rows]

    def latest(self, dataset: str, before: int | None = None, user: User = LOCAL_USER) -> dict | None:
        """The newest run of ``dataset`` that ``user`` may see (older than run ``before`` when given)."""
        query = sa.select(runs).where(runs.c.dataset == dataset, visible_clause(runs, user))
        if before is not None:
            query = query.where(runs.c.id < int(before))
        with self.engine.connect() as conn:
            return self._row(conn.execute(query.order_by(runs.c.id.desc()).limit(1)).first())
