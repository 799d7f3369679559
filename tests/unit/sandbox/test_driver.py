"""The sandbox's clock and what Slack does to what people type."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.sandbox.clock import SandboxClock, next_monday
from bot.sandbox.driver import escape

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # A Sunday evening: tomorrow.
        (datetime(2026, 11, 29, 22, 0, tzinfo=UTC), datetime(2026, 11, 30, 10, 0, tzinfo=UTC)),
        # Monday before 10:00: today.
        (datetime(2026, 11, 30, 9, 59, tzinfo=UTC), datetime(2026, 11, 30, 10, 0, tzinfo=UTC)),
        # Monday at 10:00 or later: a week on.
        (datetime(2026, 11, 30, 10, 0, tzinfo=UTC), datetime(2026, 12, 7, 10, 0, tzinfo=UTC)),
        # In summer time, 10:00 in London is 09:00 UTC.
        (datetime(2026, 6, 3, 12, 0, tzinfo=UTC), datetime(2026, 6, 8, 9, 0, tzinfo=UTC)),
    ],
)
def test_next_monday_is_the_next_10_00_on_a_monday_in_the_zone(
    now: datetime, expected: datetime
) -> None:
    assert next_monday(now, LONDON) == expected


def test_the_clock_moves_forward_only_and_restarts_at_the_machines_time() -> None:
    clock = SandboxClock()
    clock.advance(timedelta(hours=2))
    clock.advance(timedelta(hours=-5))
    assert clock.offset == timedelta(hours=2)
    assert clock.now() - datetime.now(UTC) > timedelta(hours=1)
    clock.restart()
    assert clock.offset == timedelta()


def test_what_people_type_reaches_the_app_escaped_as_slack_escapes_it() -> None:
    assert escape("<b>a</b> & <@U1>") == "&lt;b&gt;a&lt;/b&gt; &amp; &lt;@U1&gt;"
