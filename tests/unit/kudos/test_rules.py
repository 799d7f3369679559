"""Kudos rules: what a draft may say, the daily limit, the giver's day and month, per hundred."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.calendar import local_day, local_month
from bot.errors import NotAllowed
from bot.kudos.rules import MESSAGE_MAX, KudosDraft, check_daily_limit, check_draft
from bot.metrics import per_hundred

GIVER = "U0GIVER"
TOKYO = "Asia/Tokyo"
LOS_ANGELES = "America/Los_Angeles"
LONDON = "Europe/London"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(zone: str, year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))


def refusal(draft: KudosDraft) -> str:
    with pytest.raises(NotAllowed) as caught:
        check_draft(draft, giver_id=GIVER)
    assert caught.value.message == str(caught.value)
    return caught.value.message


def limit_refusal(*, given_today: int, asked: int, limit: int) -> str:
    with pytest.raises(NotAllowed) as caught:
        check_daily_limit(given_today=given_today, asked=asked, limit=limit)
    return caught.value.message


# check_draft --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "draft",
    [
        pytest.param(KudosDraft(("U0A",), "thanks", None), id="one"),
        pytest.param(KudosDraft(("U0A", "U0B"), "thanks <@U0B>", "ownership"), id="two-value"),
        pytest.param(KudosDraft(("U0A",), "x", None), id="one-char"),
        pytest.param(KudosDraft(("U0A",), "x" * MESSAGE_MAX, None), id="exactly-max"),
    ],
)
def test_valid_drafts_pass(draft: KudosDraft) -> None:
    check_draft(draft, giver_id=GIVER)


def test_no_recipients_is_refused_with_an_example() -> None:
    assert refusal(KudosDraft((), "thanks everyone", None)) == (
        "Mention who you're thanking, then say what for: "
        "`/kudos @name thanks for sorting out my laptop so quickly`."
    )


@pytest.mark.parametrize(
    "recipients",
    [
        pytest.param((GIVER,), id="alone"),
        pytest.param(("U0A", GIVER), id="among-others"),
    ],
)
def test_the_giver_among_recipients_is_refused(recipients: tuple[str, ...]) -> None:
    assert refusal(KudosDraft(recipients, "we did it", None)) == (
        "Kudos are for thanking others, so you can't send them to yourself. "
        "Take yourself out and send it again."
    )


def test_empty_message_is_refused() -> None:
    assert refusal(KudosDraft(("U0A",), "", "ownership")) == (
        "Say what you're thanking them for: `/kudos @name thanks for ...`. "
        "A few words make it mean much more."
    )


def test_message_over_the_maximum_is_refused() -> None:
    assert MESSAGE_MAX == 3000
    assert refusal(KudosDraft(("U0A",), "x" * (MESSAGE_MAX + 1), None)) == (
        "Keep the message under 3000 characters."
    )


def test_rules_are_checked_in_order_no_recipients_first() -> None:
    assert refusal(KudosDraft((), "", None)).startswith("Mention who you're thanking")


def test_rules_are_checked_in_order_self_before_empty_message() -> None:
    assert refusal(KudosDraft((GIVER,), "", None)).startswith("Kudos are for thanking others")


# check_daily_limit --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_today", "asked", "limit"),
    [
        pytest.param(0, 1, 5, id="first"),
        pytest.param(2, 2, 5, id="under"),
        pytest.param(3, 2, 5, id="exactly-at"),
        pytest.param(0, 5, 5, id="all-at-once"),
        pytest.param(99, 1, 100, id="last-of-a-hundred"),
        pytest.param(5, 0, 5, id="nothing-asked"),
    ],
)
def test_within_the_daily_limit_passes(given_today: int, asked: int, limit: int) -> None:
    check_daily_limit(given_today=given_today, asked=asked, limit=limit)


def test_over_by_one_names_how_many_are_left() -> None:
    assert limit_refusal(given_today=3, asked=3, limit=5) == (
        "You can thank 2 more people today (up to 5 a day), and this names 3. "
        "Send it to fewer people, or to the rest tomorrow."
    )


def test_one_left_is_one_person() -> None:
    assert limit_refusal(given_today=4, asked=2, limit=5) == (
        "You can thank 1 more person today (up to 5 a day), and this names 2. "
        "Send it to fewer people, or to the rest tomorrow."
    )


@pytest.mark.parametrize(
    ("given_today", "asked", "limit"),
    [
        pytest.param(5, 1, 5, id="used-up"),
        pytest.param(7, 1, 5, id="limit-lowered-since"),
        pytest.param(1, 3, 1, id="limit-one"),
    ],
)
def test_none_left_says_they_refill_at_midnight(given_today: int, asked: int, limit: int) -> None:
    assert limit_refusal(given_today=given_today, asked=asked, limit=limit) == (
        f"You've sent all {limit} kudos you can give today. They refill at midnight "
        "your time: thank the rest tomorrow."
    )


# local_day ----------------------------------------------------------------------------------

NOW = utc(2026, 3, 10, 20, 0)


@pytest.mark.parametrize(
    ("zone", "start", "end"),
    [
        # 05:00 on 11 March in Tokyo (UTC+9).
        pytest.param(TOKYO, utc(2026, 3, 10, 15), utc(2026, 3, 11, 15), id="tokyo"),
        # 13:00 on 10 March in Los Angeles (PDT since 8 March, UTC-7).
        pytest.param(LOS_ANGELES, utc(2026, 3, 10, 7), utc(2026, 3, 11, 7), id="los-angeles"),
        pytest.param("UTC", utc(2026, 3, 10), utc(2026, 3, 11), id="utc"),
        pytest.param(None, utc(2026, 3, 10), utc(2026, 3, 11), id="none-is-utc"),
        pytest.param("", utc(2026, 3, 10), utc(2026, 3, 11), id="blank-is-utc"),
        pytest.param("Mars/Base", utc(2026, 3, 10), utc(2026, 3, 11), id="unknown-is-utc"),
        pytest.param("../etc/passwd", utc(2026, 3, 10), utc(2026, 3, 11), id="bad-name-is-utc"),
    ],
)
def test_local_day_in_each_zone(zone: str | None, start: datetime, end: datetime) -> None:
    assert local_day(NOW, zone) == (start, end)


def test_local_day_is_returned_in_utc() -> None:
    start, end = local_day(NOW, TOKYO)
    assert start.utcoffset() == timedelta(0)
    assert end.utcoffset() == timedelta(0)


def test_local_day_accepts_a_now_in_any_zone() -> None:
    assert local_day(local(TOKYO, 2026, 3, 11, 5), LOS_ANGELES) == local_day(NOW, LOS_ANGELES)


@pytest.mark.parametrize("zone", [TOKYO, LOS_ANGELES, LONDON, "UTC"])
def test_half_past_eleven_and_half_past_midnight_are_different_days(zone: str) -> None:
    late = local(zone, 2026, 6, 1, 23, 30)
    early = local(zone, 2026, 6, 2, 0, 30)
    late_day = local_day(late, zone)
    early_day = local_day(early, zone)
    assert late_day != early_day
    assert late_day[1] == early_day[0]
    assert late_day[0] <= late < late_day[1]
    assert early_day[0] <= early < early_day[1]
    assert early_day[0] == local(zone, 2026, 6, 2, 0, 0)


def test_the_same_moment_is_different_days_for_tokyo_and_los_angeles() -> None:
    moment = utc(2026, 6, 1, 12, 0)  # 21:00 1 June in Tokyo, 05:00 1 June in Los Angeles
    tokyo_day = local_day(moment, TOKYO)
    later = utc(2026, 6, 1, 16, 0)  # 01:00 2 June in Tokyo, 09:00 1 June in Los Angeles
    assert local_day(later, TOKYO) != tokyo_day
    assert local_day(later, LOS_ANGELES) == local_day(moment, LOS_ANGELES)


@pytest.mark.parametrize(
    ("moment", "start", "end", "hours"),
    [
        # Clocks go forward at 01:00 UTC: 00:00 GMT to 00:00 BST.
        pytest.param(
            utc(2026, 3, 29, 12), utc(2026, 3, 29, 0), utc(2026, 3, 29, 23), 23, id="spring"
        ),
        # Clocks go back at 01:00 UTC: 00:00 BST to 00:00 GMT.
        pytest.param(
            utc(2026, 10, 25, 12), utc(2026, 10, 24, 23), utc(2026, 10, 26, 0), 25, id="autumn"
        ),
        pytest.param(
            utc(2026, 3, 28, 12), utc(2026, 3, 28, 0), utc(2026, 3, 29, 0), 24, id="day-before"
        ),
        pytest.param(
            utc(2026, 7, 1, 12), utc(2026, 6, 30, 23), utc(2026, 7, 1, 23), 24, id="summer"
        ),
    ],
)
def test_local_day_across_dst_in_london(
    moment: datetime, start: datetime, end: datetime, hours: int
) -> None:
    day = local_day(moment, LONDON)
    assert day == (start, end)
    assert day[1] - day[0] == timedelta(hours=hours)


def test_the_repeated_hour_in_autumn_is_one_day() -> None:
    first_one_am = utc(2026, 10, 25, 0, 30)  # 01:30 BST
    second_one_am = utc(2026, 10, 25, 1, 30)  # 01:30 GMT
    assert local_day(first_one_am, LONDON) == local_day(second_one_am, LONDON)


def test_a_day_whose_midnight_is_skipped_starts_at_the_jump() -> None:
    # Chile springs forward at 24:00 on Saturday 5 September 2026: 00:00 becomes 01:00.
    day = local_day(utc(2026, 9, 6, 15), "America/Santiago")
    assert day == (utc(2026, 9, 6, 4), utc(2026, 9, 7, 3))
    assert day[1] - day[0] == timedelta(hours=23)


# local_month --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "zone", "start", "end"),
    [
        pytest.param(utc(2026, 3, 15), "UTC", utc(2026, 3, 1), utc(2026, 4, 1), id="utc"),
        pytest.param(utc(2026, 3, 15), None, utc(2026, 3, 1), utc(2026, 4, 1), id="none"),
        pytest.param(utc(2026, 3, 15), "Nowhere/X", utc(2026, 3, 1), utc(2026, 4, 1), id="bad"),
        # Already 1 January 2027 in Tokyo.
        pytest.param(
            utc(2026, 12, 31, 23, 30),
            TOKYO,
            utc(2026, 12, 31, 15),
            utc(2027, 1, 31, 15),
            id="tokyo",
        ),
        # Still 31 January in Los Angeles (PST, UTC-8); February is short.
        pytest.param(
            utc(2026, 2, 1, 3), LOS_ANGELES, utc(2026, 1, 1, 8), utc(2026, 2, 1, 8), id="la-jan"
        ),
        pytest.param(
            utc(2026, 2, 14), LOS_ANGELES, utc(2026, 2, 1, 8), utc(2026, 3, 1, 8), id="la-feb"
        ),
        # London's March starts in GMT and ends in BST.
        pytest.param(utc(2026, 3, 15), LONDON, utc(2026, 3, 1), utc(2026, 3, 31, 23), id="dst"),
        pytest.param(utc(2028, 2, 29), "UTC", utc(2028, 2, 1), utc(2028, 3, 1), id="leap"),
        pytest.param(utc(2026, 12, 31), "UTC", utc(2026, 12, 1), utc(2027, 1, 1), id="december"),
        pytest.param(utc(2026, 1, 31), "UTC", utc(2026, 1, 1), utc(2026, 2, 1), id="jan-31"),
    ],
)
def test_local_month(moment: datetime, zone: str | None, start: datetime, end: datetime) -> None:
    assert local_month(moment, zone) == (start, end)


# per_hundred --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kudos", "handled", "expected"),
    [
        pytest.param(0, 0, None, id="nothing-handled"),
        pytest.param(5, 0, None, id="kudos-but-nothing-handled"),
        pytest.param(0, 7, 0.0, id="no-kudos"),
        pytest.param(1, 3, 33.3, id="one-of-three"),
        pytest.param(2, 3, 66.7, id="two-of-three"),
        pytest.param(1, 8, 12.5, id="one-of-eight"),
        pytest.param(1, 16, 6.3, id="half-up-6.25"),
        pytest.param(1, 400, 0.3, id="half-up-0.25"),
        pytest.param(1, 2000, 0.1, id="half-up-0.05"),
        pytest.param(1, 2001, 0.0, id="just-under-0.05"),
        pytest.param(1, 6, 16.7, id="one-of-six"),
        pytest.param(4, 4, 100.0, id="one-each"),
        pytest.param(3, 2, 150.0, id="more-kudos-than-requests"),
    ],
)
def test_per_hundred(kudos: int, handled: int, expected: float | None) -> None:
    assert per_hundred(kudos, handled) == expected
