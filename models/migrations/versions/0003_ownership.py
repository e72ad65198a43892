"""Ownership: who owns each upload (one entry per owner) and run, with a visibility; who made each correction.

Rows made before sign-in get the legacy owner (``models.access.LEGACY_OWNER``) with team visibility, as the
server defaults say: every user keeps seeing what everyone saw before. Uploads stored before this revision have
no entry in ``item_owners`` and are read as legacy, team (``models.ownership``).

Revision ID: 0003_ownership
Revises: 0002_auth
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_ownership"
down_revision = "0002_auth"
branch_labels = None
depends_on = None

LEGACY_OWNER, TEAM = "legacy", "team"  # frozen copies of models.access's values


def upgrade() -> None:
    op.create_table(
        "item_owners",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("item", sa.String(64), primary_key=True),
        sa.Column("owner", sa.String(200), primary_key=True),
        sa.Column("visibility", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    for table in ("sentiment_runs", "nn_runs"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("owner", sa.String(200), nullable=False, server_default=LEGACY_OWNER))
            batch.add_column(sa.Column("visibility", sa.String(16), nullable=False, server_default=TEAM))
        op.create_index(f"ix_{table}_owner", table, ["owner"])
    with op.batch_alter_table("sentiment_corrections") as batch:
        batch.add_column(sa.Column("author", sa.String(200), nullable=False, server_default=LEGACY_OWNER))
    op.create_index("ix_sentiment_corrections_author", "sentiment_corrections", ["author"])


def downgrade() -> None:
    op.drop_index("ix_sentiment_corrections_author", table_name="sentiment_corrections")
    with op.batch_alter_table("sentiment_corrections") as batch:
        batch.drop_column("author")
    for table in ("nn_runs", "sentiment_runs"):
        op.drop_index(f"ix_{table}_owner", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("visibility")
            batch.drop_column("owner")
    op.drop_table("item_owners")
