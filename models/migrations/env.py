from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from bot.db import create_db_engine, is_sqlite
from models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection, url: str) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=is_sqlite(url),
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("sqlalchemy.url is not configured")
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection, url)
        return
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            _run(connection, url)
    finally:
        engine.dispose()


run_migrations_online()
