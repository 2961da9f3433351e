"""Alembic environment: migrations run on the connection queries.migrate hands over (or on
DATABASE_URL when run through the alembic command), against queries.schema's metadata."""

from __future__ import annotations

from alembic import context

from queries import schema
from queries.db import database_url, get_engine

config = context.config
target_metadata = schema.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    with get_engine(config.get_main_option("sqlalchemy.url") or database_url()).connect() as conn:
        _migrate(conn)
        conn.commit()


def _migrate(connection) -> None:
    # SQLite cannot ALTER most constraints in place: batch mode copies the table instead.
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("离线（--sql）模式不受支持：请直接连接数据库运行 python -m queries.migrate")
run()
