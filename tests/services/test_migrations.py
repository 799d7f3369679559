"""The migrations build exactly the schema the models describe, on both databases, and
carry the rows already there."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, insert, text
from sqlalchemy.engine import make_url

from bot.db import alembic_config, create_db_engine, is_migrated, is_sqlite, newest_revision
from models import Base
from tests.conftest import _drop_postgres_database, _ensure_postgres_database


def test_the_migrated_database_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_every_revision_is_named_by_its_file_so_the_newest_is_known_without_alembic() -> None:
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    for script in scripts.walk_revisions():
        assert script.path is not None
        assert Path(script.path).name.startswith(f"{script.revision}_")
    assert scripts.get_current_head() == newest_revision()


@pytest.fixture
def scratch_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database beside the suite's, of the same kind, for migrating step by step."""
    if is_sqlite(database_url):
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    url = make_url(database_url)
    scratch = url.set(database=f"{url.database}_scratch").render_as_string(hide_password=False)
    _drop_postgres_database(scratch)
    _ensure_postgres_database(scratch)
    yield scratch
    _drop_postgres_database(scratch)


def test_0019_gives_requests_already_answered_their_times(scratch_url: str) -> None:
    """Filed Monday 09:00 in Berlin, where IT works 09:00-18:00 on weekdays: one answered at
    09:30 and resolved Tuesday 10:00 after waiting 10 minutes on its requester; one at HR,
    which names no calendar, answered at 11:00 and rated; one not answered yet."""
    monday = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    command.upgrade(alembic_config(scratch_url), "0018")
    assert not is_migrated(scratch_url)
    engine = create_db_engine(scratch_url)
    calendar = {"timezone": "Europe/Berlin", "hours": "09:00-18:00", "days": "mon-fri"}
    with engine.begin() as connection:
        tables = MetaData()
        tables.reflect(connection, only=["departments", "requests", "ratings"])
        departments, requests = tables.tables["departments"], tables.tables["requests"]
        for department_id, key, kept_calendar in ((1, "it", calendar), (2, "hr", None)):
            connection.execute(
                insert(departments).values(
                    id=department_id,
                    team_id="T0MIGRATE",
                    key=key,
                    name=key,
                    channel_id=f"C0{key.upper()}",
                    keywords=[],
                    aliases=[],
                    agents=[],
                    leads=[],
                    active=True,
                    calendar=kept_calendar,
                    created_at=monday,
                    updated_at=monday,
                )
            )
        filed = {
            "team_id": "T0MIGRATE",
            "requester_id": "U0ASKER",
            "text": "help",
            "urgency": "normal",
            "version": 1,
            "created_at": monday,
            "updated_at": monday,
        }
        rows = [
            (1, 1, "resolved", monday + timedelta(minutes=30), monday + timedelta(hours=25), 600),
            (2, 2, "claimed", monday + timedelta(hours=2), None, 0),
            (3, 1, "open", None, None, 0),
        ]
        for request_id, department_id, status, answered, resolved, paused in rows:
            connection.execute(
                insert(requests).values(
                    id=request_id,
                    department_id=department_id,
                    status=status,
                    idempotency_key=f"migrate-{request_id}",
                    first_response_at=answered,
                    resolved_at=resolved,
                    paused_seconds=paused,
                    **filed,
                )
            )
        connection.execute(
            insert(tables.tables["ratings"]).values(
                team_id="T0MIGRATE",
                request_id=2,
                requester_id="U0ASKER",
                score=5,
                source="button",
                rated_at=monday,
                created_at=monday,
                updated_at=monday,
            )
        )
    command.upgrade(alembic_config(scratch_url), "head")
    assert is_migrated(scratch_url)
    with engine.connect() as connection:
        kept = connection.execute(
            text(
                "SELECT id, first_response_seconds, first_response_business_seconds, "
                "resolution_seconds, resolution_business_seconds FROM requests ORDER BY id"
            )
        ).all()
        rated = connection.execute(text("SELECT request_id, department_id FROM ratings")).all()
    engine.dispose()
    # A rating keeps its request's department.
    assert [tuple(row) for row in rated] == [(2, 2)]
    hour = 3600.0
    assert [tuple(row) for row in kept] == [
        # Resolved after 25 hours: 9 worked on Monday and 1 on Tuesday, less the 10 minutes.
        (1, 0.5 * hour, 0.5 * hour, 25 * hour, 10 * hour - 600),
        (2, 2 * hour, 2 * hour, None, None),
        (3, None, None, None, None),
    ]
