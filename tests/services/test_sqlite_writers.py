"""SQLite's writers of one process queue on a lock (bot/db.py): whichever way a write ends,
the next writer gets the lock."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from bot import db
from bot.db import SessionFactory, create_db_engine, create_session_factory
from tests.waiting import wait_until


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


def _queue_in_order(queue: db.WritersQueue, arrivals: list[tuple[str, bool]]) -> list[str]:
    """Who gets the lock in what order, when `arrivals` (name, urgent) queue one after another
    while it is held."""
    assert queue.acquire(urgent=False, timeout=1)
    order: list[str] = []

    def take(name: str, urgent: bool) -> None:
        assert queue.acquire(urgent=urgent, timeout=30)
        order.append(name)
        queue.release()

    threads = []
    for queued, (name, urgent) in enumerate(arrivals, start=1):
        thread = threading.Thread(target=take, args=(name, urgent))
        thread.start()
        threads.append(thread)
        wait_until(lambda queued=queued: len(queue._urgent) + len(queue._ordinary) == queued)
    queue.release()
    for thread in threads:
        thread.join(timeout=30)
    return order


def test_an_urgent_writer_goes_ahead_of_the_queued_ones_which_keep_their_order() -> None:
    arrivals = [("work 1", False), ("work 2", False), ("ack 1", True), ("ack 2", True)]
    assert _queue_in_order(db.WritersQueue(), arrivals) == ["ack 1", "ack 2", "work 1", "work 2"]


def test_a_writer_that_gave_up_waiting_leaves_the_queue() -> None:
    queue = db.WritersQueue()
    assert queue.acquire(urgent=False, timeout=1)
    assert not queue.acquire(urgent=True, timeout=0.01)
    queue.release()
    assert queue.acquire(urgent=False, timeout=0)


def test_an_urgent_session_holds_the_writers_lock_like_any_writer(sqlite: SessionFactory) -> None:
    with sqlite.begin() as session:
        session.connection(execution_options={db.URGENT_WRITE_OPTION: True})
        assert _holds_writers_lock(session)
        session.execute(text("INSERT INTO t VALUES (6)"))
    assert _pooled_connections_owing_the_lock(sqlite) == 0
