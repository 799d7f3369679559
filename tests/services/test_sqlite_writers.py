"""SQLite's writers of one process queue on a lock (bot/db.py): whichever way a write ends,
the next writer gets the lock."""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from bot import db
from bot.db import SessionFactory, create_db_engine, create_session_factory


@pytest.fixture
def sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SessionFactory:
    # A writer that cannot get the lock goes on without it after this long: short, so a lock
    # that was never given back fails the test quickly rather than slowly.
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    factory = create_session_factory(create_db_engine(f"sqlite:///{tmp_path / 'w.db'}"))
    with factory.begin() as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
    return factory


def _holds_writers_lock(session: Session) -> bool:
    return bool(session.connection().info.get(db._HOLDS_WRITERS_LOCK))


def _pooled_connections_owing_the_lock(factory: SessionFactory) -> int:
    """Connections back in the pool that still count themselves the lock's holder: each
    means a lock never given back."""
    pool = factory.kw["bind"].pool
    connections = [pool.connect() for _ in range(pool.checkedin())]
    owing = sum(1 for c in connections if c.info.get(db._HOLDS_WRITERS_LOCK))
    for connection in connections:
        connection.close()
    return owing


def _committed(factory: SessionFactory) -> None:
    with factory.begin() as session:
        session.execute(text("INSERT INTO t VALUES (1)"))


def _closed_unfinished(factory: SessionFactory) -> None:
    with factory() as session:
        session.execute(text("INSERT INTO t VALUES (2)"))


def _raised(factory: SessionFactory) -> None:
    def fail_midway() -> None:
        with factory.begin() as session:
            session.execute(text("INSERT INTO t VALUES (3)"))
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        fail_midway()


def _abandoned(factory: SessionFactory) -> None:
    session = factory()
    session.execute(text("INSERT INTO t VALUES (4)"))
    del session
    gc.collect()


@pytest.mark.parametrize("write", [_committed, _closed_unfinished, _raised, _abandoned])
def test_the_next_writer_gets_the_lock_however_the_last_write_ended(
    sqlite: SessionFactory, write: Callable[[SessionFactory], None]
) -> None:
    write(sqlite)
    assert _pooled_connections_owing_the_lock(sqlite) == 0
    with sqlite.begin() as session:
        assert _holds_writers_lock(session)
        session.execute(text("INSERT INTO t VALUES (5)"))
    with db.read_session(sqlite) as session:
        assert session.scalar(text("SELECT count(*) FROM t WHERE x = 5")) == 1


def test_a_reader_takes_no_lock(sqlite: SessionFactory) -> None:
    with db.read_session(sqlite) as session:
        assert not _holds_writers_lock(session)
