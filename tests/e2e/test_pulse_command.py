"""`/pulse`: status, opting out and back in, through the real endpoint."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from models import Person
from tests.e2e.conftest import Desk
from tests.e2e.helpers import text_of
from tests.fake_slack import Call

# The fake clock starts on Monday 2026-11-02 at 09:00 UTC.
THIS_MONDAY_10_LONDON = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
NEXT_MONDAY_10_TOKYO = datetime(2026, 11, 9, 1, 0, tzinfo=UTC)


def _pulse(desk: Desk, text: str, user: str = "U0ALICE") -> Call:
    before = len(desk.fake.calls_to("response_url"))
    assert desk.slack.slash_command(text, user=user, command="/pulse").status == 200
    [*_, reply] = desk.fake.wait_for_call("response_url", count=before + 1)
    assert reply.params["response_type"] == "ephemeral"
    return reply


def _opted_out(desk: Desk, user: str) -> bool | None:
    with desk.session_factory() as session:
        return session.scalar(select(Person.weekly_pulse_opted_out).where(Person.user_id == user))


def _timestamp(moment: datetime) -> str:
    return f"<!date^{int(moment.timestamp())}^"


def test_status_says_when_the_next_pulse_comes_in_the_persons_own_time(desk: Desk) -> None:
    reply = _pulse(desk, "")
    assert "You get the weekly pulse" in text_of(reply)
    assert _timestamp(THIS_MONDAY_10_LONDON) in text_of(reply)
    assert "anonymous" in text_of(reply)
    assert "at least 5 people" in text_of(reply)

    desk.fake.user_timezones["U0TOKYO"] = "Asia/Tokyo"
    tokyo = _pulse(desk, "status", user="U0TOKYO")
    # 10:00 on Monday in Tokyo has already passed at 09:00 UTC (18:00 there).
    assert _timestamp(NEXT_MONDAY_10_TOKYO) in text_of(tokyo)


def test_off_and_on_are_remembered(desk: Desk) -> None:
    off = _pulse(desk, "off")
    assert "turned the weekly pulse off" in text_of(off)
    assert _opted_out(desk, "U0ALICE") is True
    assert "turned the weekly pulse off" in text_of(_pulse(desk, ""))

    on = _pulse(desk, "ON")
    assert "You get the weekly pulse" in text_of(on)
    assert _opted_out(desk, "U0ALICE") is False


def test_anything_else_explains_the_command_and_changes_nothing(desk: Desk) -> None:
    reply = _pulse(desk, "sometimes <!channel>")
    assert "/pulse off" in text_of(reply)
    assert "<!channel>" not in text_of(reply)
    assert _opted_out(desk, "U0ALICE") is None


def test_the_time_zone_is_asked_once_a_day(desk: Desk) -> None:
    _pulse(desk, "")
    _pulse(desk, "")
    assert len(desk.fake.calls_to("users.info")) == 1
