"""Alembic environment: runs on the connection :func:`digestbot.store.db.upgrade_schema` hands in.

Run from the ``alembic`` command line (repo ``alembic.ini``), it opens ``sqlalchemy.url`` instead.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from digestbot.store.models import Base
from digestbot.store.search_schema import include_name


def run_on(connection: Connection) -> None:
    """Run the migrations on ``connection`` inside its transaction."""
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_name=include_name,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    """Entry point Alembic calls when it loads this script."""
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    from digestbot.store.db import create_engine_for

    engine = create_engine_for(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        run_on(conn)
    engine.dispose()


run()
