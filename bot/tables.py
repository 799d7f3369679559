"""Plain text for a terminal: tables, and lines of text that came from people."""

from __future__ import annotations

import re
from collections.abc import Sequence

# Everything a terminal would act on rather than show: escape sequences begin with ESC, and
# the rest of the C0 and C1 controls move the cursor, ring, or erase.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def one_line(text: str) -> str:
    """Text from people (names, comments) as one line a terminal shows and does not obey."""
    return " ".join(_CONTROL.sub(" ", text).split())


def format_table(
    rows: Sequence[Sequence[str]], *, right_aligned: frozenset[int] = frozenset()
) -> str:
    """The first row is the header, underlined; columns in `right_aligned` hold numbers."""
    rows = [[one_line(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [
            cell.rjust(width) if column in right_aligned else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines) + "\n"
