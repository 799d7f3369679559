"""Writing an export: requests read a batch at a time in one read-only transaction, and written
out as they are read."""

from __future__ import annotations

from datetime import datetime
from itertools import groupby
from typing import TextIO

from bot.db import SessionFactory, read_session
from bot.exports import formats, store
from bot.exports.rules import PULSE_COLUMNS, export_row, pulse_row
from bot.reports.weekly.store import final_weeks

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


def export_pulse(
    sessions: SessionFactory,
    *,
    since: datetime,
    until: datetime,
    minimum: int,
    output_format: str,
    out: TextIO,
) -> int:
    """The weekly pulse's results per department and final week from `since` to `until`, as
    far as the anonymity rule allows; the number of rows written."""
    with read_session(sessions) as session:
        weeks = final_weeks(session, since=since, now=until)
        grouped = groupby(
            store.pulse_answers(session=session, weeks=weeks),
            key=lambda answer: (answer[3].week, answer[0], answer[1], answer[2]),
        )
        rows = (
            pulse_row(
                week=week,
                department=key,
                department_name=name,
                answers=[answer for *_, answer in answers],
                minimum=minimum,
            )
            for (week, _, key, name), answers in grouped
        )
        if output_format == "json":
            return formats.write_json(rows, out)
        return formats.write_table_csv(rows, PULSE_COLUMNS, out)
