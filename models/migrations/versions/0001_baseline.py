"""Baseline: the schema the app made before migrations (sentiment corrections and runs, NN runs).

A frozen copy, not the live tables: later revisions change those. Each table is created only when missing, so a
database made before migrations (tables, no ``alembic_version``) passes through this revision unchanged, rows
and all, and one made by a single model's command line (sentiment tables only) gets the rest.

Revision ID: 0001_baseline
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def _missing(name: str) -> bool:
    return not sa.inspect(op.get_bind()).has_table(name)


def upgrade() -> None:
    if _missing("sentiment_corrections"):
        op.create_table(
            "sentiment_corrections",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("dataset", sa.String(64), nullable=False),
            sa.Column("row", sa.Integer, nullable=False),
            sa.Column("text", sa.Text, nullable=False),
            sa.Column("old_label", sa.String(16), nullable=False),
            sa.Column("new_label", sa.String(16), nullable=False),
            sa.Column("batch", sa.String(32), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        )
        op.create_index("ix_sentiment_corrections_dataset", "sentiment_corrections", ["dataset"])
        op.create_index("ix_sentiment_corrections_batch", "sentiment_corrections", ["batch"])
    if _missing("sentiment_runs"):
        op.create_table(
            "sentiment_runs",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("dataset", sa.String(64), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("params", sa.Text, nullable=False),
            sa.Column("metrics", sa.Text, nullable=False),
            sa.Column("corrections", sa.Integer, nullable=False),
            sa.Column("seconds", sa.Float, nullable=False),
            sa.Column("path", sa.Text, nullable=False),
        )
        op.create_index("ix_sentiment_runs_dataset", "sentiment_runs", ["dataset"])
    if _missing("nn_runs"):
        op.create_table(
            "nn_runs",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("dataset", sa.String(200), nullable=False),
            sa.Column("task", sa.String(16), nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("reason", sa.Text, nullable=True),
            sa.Column("spec", sa.Text, nullable=False),
            sa.Column("epochs", sa.Text, nullable=False),
            sa.Column("final", sa.Text, nullable=False),
            sa.Column("seconds", sa.Float, nullable=False),
            sa.Column("path", sa.Text, nullable=False),
        )
        op.create_index("ix_nn_runs_dataset", "nn_runs", ["dataset"])


def downgrade() -> None:
    for table in ("nn_runs", "sentiment_runs", "sentiment_corrections"):
        op.drop_table(table)
