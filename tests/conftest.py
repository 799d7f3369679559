"""Database fixtures: SQLite by default, the database in TEST_DATABASE_URL when it is set."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from bot.db import SessionFactory, create_db_engine, create_session_factory, is_sqlite, migrate
from models import Base
from tests.fake_clock import FakeClock


def _ensure_postgres_database(url: str) -> bool:
    """Create the throwaway test database if needed; True if this run created it."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            )
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{target.database}"'))
            return not exists
    finally:
        admin.dispose()


def _drop_postgres_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        path: Path = tmp_path_factory.mktemp("db") / "pulsedesk-test.db"
        url = f"sqlite:///{path}"
        migrate(url)
        yield url
        return
    created = _ensure_postgres_database(url)
    migrate(url)
    yield url
    if created:
        _drop_postgres_database(url)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine, database_url: str) -> SessionFactory:
    """A factory on an empty database: every test starts from no rows."""
    tables = list(reversed(Base.metadata.sorted_tables))
    with engine.begin() as connection:
        if is_sqlite(database_url):
            for table in tables:
                connection.execute(table.delete())
        else:
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    return create_session_factory(engine)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


# Property tests explore the same inputs on every run, so the suite's outcome never depends on
# chance or on how fast the machine is (no deadline).
settings.register_profile("pulsedesk", derandomize=True, deadline=None, max_examples=150)
settings.load_profile("pulsedesk")
