"""Writing an export: requests read a batch at a time in one read-only transaction, and written
out as they are read."""

from __future__ import annotations

from datetime import datetime
from typing import TextIO

from bot.db import SessionFactory, read_session
from bot.exports import formats, store
from bot.exports.rules import export_row

FORMATS = ("csv", "json")


def export_requests(
    sessions: SessionFactory,
    *,
    since: datetime,
    until: datetime,
    now: datetime,
    output_format: str,
    out: TextIO,
) -> int:
    """Every request filed in [since, until) to `out`; the number written."""
    with read_session(sessions) as session:
        rows = (
            export_row(request, now)
            for request in store.requests_filed(session=session, since=since, until=until)
        )
        if output_format == "json":
            return formats.write_json(rows, out)
        return formats.write_csv(rows, store.question_keys(session=session), out)
