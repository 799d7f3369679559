"""Engine, sessions and migrations. The caller owns the transaction: `factory.begin()`."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from sqlalchemy import ColumnElement, Engine, create_engine, event, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "models" / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
READ_ONLY_OPTION = "pulsedesk_read_only"
# A write someone is waiting on (an ack): on SQLite it goes ahead of the background writers.
URGENT_WRITE_OPTION = "pulsedesk_urgent_write"
_HOLDS_WRITERS_LOCK = "pulsedesk_holds_writers_lock"

SessionFactory = sessionmaker[Session]


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


class WritersQueue:
    """SQLite's one writer at a time, taken in order of arrival, urgent writers first: an
    ack waits for the write under way, never for a queue of background ones."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._urgent: deque[object] = deque()
        self._ordinary: deque[object] = deque()
        self._held = False

    def acquire(self, *, urgent: bool, timeout: float) -> bool:
        ticket = object()
        queue = self._urgent if urgent else self._ordinary
        with self._changed:
            queue.append(ticket)
            if self._changed.wait_for(lambda: not self._held and self._next() is ticket, timeout):
                queue.popleft()
                self._held = True
                return True
            queue.remove(ticket)
            # The one behind this ticket may be first now.
            self._changed.notify_all()
            return False

    def release(self) -> None:
        with self._changed:
            self._held = False
            self._changed.notify_all()

    def _next(self) -> object | None:
        if self._urgent:
            return self._urgent[0]
        return self._ordinary[0] if self._ordinary else None


# How many times this process refreshed each SQLite database's statistics. SQLite's planner
# reads them when a connection opens and never again by itself, so a pooled connection reads
# them anew at its first checkout after each refresh.
_statistics_written: WeakKeyDictionary[Engine, int] = WeakKeyDictionary()
_STATISTICS_READ = "pulsedesk_statistics_read"


def create_db_engine(url: str) -> Engine:
    if not is_sqlite(url):
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)

    engine = create_engine(
        url, connect_args={"check_same_thread": False}, pool_size=20, max_overflow=20
    )

    @event.listens_for(engine, "connect")
    def _configure_sqlite(dbapi_connection: Any, record: Any) -> None:
        # Let SQLAlchemy's "begin" hook below emit BEGIN itself instead of pysqlite.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        record.info[_STATISTICS_READ] = _statistics_written.get(engine, 0)

    @event.listens_for(engine, "checkout")
    def _read_new_statistics(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        written = _statistics_written.get(engine, 0)
        if record.info.get(_STATISTICS_READ) != written:
            dbapi_connection.execute("ANALYZE sqlite_schema")
            record.info[_STATISTICS_READ] = written

    # SQLite lets one writer in at a time, and its busy handler makes the others poll: under a
    # burst, a waiting writer can lose every poll for longer than the busy timeout. Writers of
    # this process therefore queue first, in order; other processes still meet the busy timeout.
    writers = WritersQueue()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # In WAL mode a read transaction that later writes fails with SQLITE_BUSY whatever the
        # busy timeout; taking the write lock up front makes concurrent writers queue instead.
        # Sessions that only read begin deferred, so they never wait for a writer.
        options = connection.get_execution_options()
        if options.get(READ_ONLY_OPTION):
            connection.exec_driver_sql("BEGIN")
            return
        # Bounded, so a thread that somehow began two writes cannot wait on itself forever.
        urgent = bool(options.get(URGENT_WRITE_OPTION))
        if writers.acquire(urgent=urgent, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
            connection.info[_HOLDS_WRITERS_LOCK] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except Exception:
            if connection.info.pop(_HOLDS_WRITERS_LOCK, False):
                writers.release()
            raise

    def _finish(connection: Any, statement: str) -> None:
        # These events come before SQLAlchemy ends the transaction; the lock may only pass on
        # once it has ended, so it is ended here (pysqlite's own commit then has nothing to do).
        if not connection.info.pop(_HOLDS_WRITERS_LOCK, False):
            return
        try:
            connection.connection.dbapi_connection.execute(statement)
        finally:
            writers.release()

    event.listen(engine, "commit", lambda connection: _finish(connection, "COMMIT"))
    event.listen(engine, "rollback", lambda connection: _finish(connection, "ROLLBACK"))

    @event.listens_for(engine, "reset")
    def _abandoned(dbapi_connection: Any, record: Any, _state: Any) -> None:
        # A session dropped without being closed reaches the pool with its write still open
        # and no rollback event: ended here, or every later writer would wait out the timeout.
        if not record.info.pop(_HOLDS_WRITERS_LOCK, False):
            return
        try:
            dbapi_connection.execute("ROLLBACK")
        finally:
            writers.release()

    return engine


def create_session_factory(engine: Engine) -> SessionFactory:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def read_session(factory: SessionFactory) -> Iterator[Session]:
    """A session that only reads: on SQLite it never queues behind a writer, which matters
    before a modal opens, since its trigger_id expires 3 seconds after the click."""
    with factory() as session:
        session.connection(execution_options={READ_ONLY_OPTION: True})
        yield session


def compare_and_set(
    session: Session, model: type[Any], *expected: ColumnElement[bool], **values: Any
) -> bool:
    """Change the row that still is as `expected` (its state, its version, who holds its
    claim) and say whether one was: of two workers changing the same row at once, exactly one
    gets True, on SQLite and PostgreSQL alike. The session's loaded objects are not updated."""
    result = session.execute(
        update(model).where(*expected).values(**values).execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def newest_revision() -> str:
    """The newest migration's revision, which its file name starts with (0019_...): a test
    holds the migrations to that."""
    return max(path.name.split("_", 1)[0] for path in (MIGRATIONS_DIR / "versions").glob("*_*.py"))


def is_migrated(url: str) -> bool:
    """Whether the database's schema is at the newest revision."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            stored = connection.scalar(text("SELECT version_num FROM alembic_version"))
    except DBAPIError:
        return False
    finally:
        engine.dispose()
    return bool(stored == newest_revision())


def migrate(url: str) -> None:
    """Bring the schema to the newest revision; safe to run at every start. A schema already
    there is recognised without Alembic, whose import and reading of every migration took a
    command line a quarter of a second."""
    if is_migrated(url):
        return
    from alembic import command

    command.upgrade(alembic_config(url), "head")


# Rows per index SQLite's ANALYZE reads: enough for its planner to choose well, quick at any size.
SQLITE_ANALYSIS_LIMIT = 1000


def refresh_statistics(factory: SessionFactory) -> None:
    """Give SQLite's query planner fresh statistics. Without any, it may read a whole
    workspace's requests through the wrong index to report on a few departments; PostgreSQL's
    autovacuum keeps its own."""
    with factory.begin() as session:
        engine = session.get_bind()
        if engine.dialect.name != "sqlite":
            return
        session.execute(text(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}"))
        session.execute(text("ANALYZE"))
    assert isinstance(engine, Engine)
    _statistics_written[engine] = _statistics_written.get(engine, 0) + 1


def ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
