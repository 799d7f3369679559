"""Export rows written as they come, as CSV or as JSON: nothing waits for the last row, so an
export of any size takes the memory of one row."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from bot.exports.rules import ANSWER_PREFIX, COLUMNS, OTHER_ANSWERS
from bot.reports.formats import csv_cell


def csv_header(question_keys: Sequence[str]) -> list[str]:
    return [*COLUMNS, *(f"{ANSWER_PREFIX}{key}" for key in question_keys), OTHER_ANSWERS]


def write_csv(rows: Iterable[dict[str, Any]], question_keys: Sequence[str], out: TextIO) -> int:
    """One line per request: its fields, one column per question key, and answers to other
    questions (removed from the departments file since) as JSON. Returns the rows written."""
    writer = csv.writer(out)
    writer.writerow(csv_header(question_keys))
    written = 0
    for row in rows:
        answers: dict[str, str] = row["answers"]
        others = {key: value for key, value in answers.items() if key not in question_keys}
        writer.writerow(
            [csv_cell(row[column], keep_lines=True) for column in COLUMNS]
            + [csv_cell(answers.get(key), keep_lines=True) for key in question_keys]
            + [json.dumps(others, ensure_ascii=False) if others else ""]
        )
        written += 1
    return written


def write_json(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    """A JSON array of the rows, one object per line, written as they come."""
    out.write("[")
    written = 0
    for row in rows:
        out.write(("," if written else "") + "\n" + json.dumps(row, ensure_ascii=False))
        written += 1
    out.write("\n]\n" if written else "]\n")
    return written


def write_table_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str], out: TextIO) -> int:
    """Rows of plain values, one CSV line each under `columns`."""
    writer = csv.writer(out)
    writer.writerow(columns)
    written = 0
    for row in rows:
        writer.writerow([csv_cell(row[column]) for column in columns])
        written += 1
    return written
