"""Alembic's environment: run the migrations on the connection the caller passes (``models.migrations``), or on
``sqlalchemy.url`` when Alembic's own command line runs them (``alembic -x`` is not needed)."""

from __future__ import annotations

from alembic import context


def target_metadata():
    """Every table's MetaData, for ``alembic revision --autogenerate`` (imported late: the stores import us)."""
    from models import accounts, audit, ownership
    from models.nn import store as nn_store
    from models.sentiment import store as sentiment_store

    return [sentiment_store.metadata, nn_store.metadata, audit.metadata, accounts.metadata, ownership.metadata]


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata(),
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    from models.db import make_engine

    engine = make_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.begin() as opened:
        run(opened)
    engine.dispose()
