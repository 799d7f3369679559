"""The weekly kudos digest, run by the job runner at the FakeClock's time: one post thanking
the week's receivers, the first five mentioned and the rest named, and the next one scheduled."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conftest import KUDOS_CHANNEL, TEAM_ID, Desk, DeskFactory
from tests.e2e.helpers import give_kudos, jobs_of, kudos_rows, posts_to, run_jobs
from tests.e2e.survey_steps import ListenerWork
from tests.fake_slack import Call

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday
NEXT_MONDAY_10 = datetime(2026, 11, 9, 10, 0, tzinfo=UTC)
NAMED = {"U0R6": "Fern", "U0R7": "Gus & <!channel>", "U0R8": "Hal"}


def _advance_to(desk: Desk, moment: datetime) -> None:
    assert moment >= desk.clock.now()
    desk.clock.advance(moment - desk.clock.now())


def _schedule(desk: Desk) -> datetime | None:
    return desk.pulsedesk.services.standings.schedule_digest(team_id=TEAM_ID)


def _digest_jobs(desk: Desk) -> list[tuple[str, datetime, dict[str, object]]]:
    return [(j.state, j.due_at, j.payload) for j in jobs_of(desk, "kudos.digest")]


def _mentions(call: Call) -> list[str]:
    sent = call.params["text"] + json.dumps(call.params["blocks"])
    return re.findall(r"<@(\w+)>", sent)


def test_the_digest_mentions_the_five_most_thanked_names_the_rest_and_schedules_the_next(
    kudos_desk: Desk,
) -> None:
    desk = kudos_desk
    for user, name in NAMED.items():
        desk.fake.user_profiles[user] = {"profile": {"display_name": name}}
    # Before this week's digest moment (Monday 10:00 UTC): last week's, not this one's.
    give_kudos(desk, "<@U0EARLY> for last week's release", user="U0G3")
    _advance_to(desk, START + timedelta(hours=2))

    assert _schedule(desk) == NEXT_MONDAY_10
    assert _schedule(desk) == NEXT_MONDAY_10
    assert _digest_jobs(desk) == [
        ("pending", NEXT_MONDAY_10, {"due": NEXT_MONDAY_10.isoformat()}),
    ]

    _advance_to(desk, datetime(2026, 11, 3, 10, 0, tzinfo=UTC))
    give_kudos(desk, "<@U0R1> <@U0R2> <@U0R3> <@U0R4> <@U0R5> for the launch", user="U0G1")
    give_kudos(desk, "<@U0R1> <@U0R2> <@U0R3> <@U0R4> <@U0R6> for the launch", user="U0G2")
    _advance_to(desk, datetime(2026, 11, 4, 10, 0, tzinfo=UTC))
    give_kudos(desk, "<@U0R1> <@U0R2> <@U0R3> <@U0R7> <@U0R8> for the migration", user="U0G1")
    give_kudos(desk, "<@U0R1> <@U0R2> <@U0R5> for the migration", user="U0G2")
    _advance_to(desk, datetime(2026, 11, 5, 10, 0, tzinfo=UTC))
    give_kudos(desk, "<@U0R1> for the on-call week", user="U0G1")
    assert len(kudos_rows(desk)) == 20
    posts_before = len(posts_to(desk, KUDOS_CHANNEL))

    _advance_to(desk, NEXT_MONDAY_10 - timedelta(seconds=1))
    assert run_jobs(desk).ran == 0
    _advance_to(desk, NEXT_MONDAY_10)
    assert run_jobs(desk).done == 1

    [digest] = posts_to(desk, KUDOS_CHANNEL)[posts_before:]
    assert digest.params["text"] == "Last week in kudos: 19 thanks"
    assert digest.params["blocks"] == [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": ":sparkles: *Last week in kudos*: 19 thanks from 2 people to 8 people.\n"
                "Thank you, <@U0R1> (5), <@U0R2> (4), <@U0R3> (3), <@U0R4> (2), <@U0R5> (2), "
                "Fern, Gus &amp; &lt;!channel&gt; and Hal!",
            },
        },
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": "Thank someone with `/kudos @name what for`."}],
        },
    ]
    assert _mentions(digest) == ["U0R1", "U0R2", "U0R3", "U0R4", "U0R5"]
    sent = json.dumps(digest.params)
    assert "<!here" not in sent
    assert "<!channel" not in sent
    assert "U0EARLY" not in sent
    next_monday_10 = NEXT_MONDAY_10 + timedelta(days=7)
    assert _digest_jobs(desk) == [
        ("done", NEXT_MONDAY_10, {"due": NEXT_MONDAY_10.isoformat()}),
        ("pending", next_monday_10, {"due": next_monday_10.isoformat()}),
    ]

    # A week without kudos posts nothing, and still schedules the week after.
    _advance_to(desk, next_monday_10)
    assert run_jobs(desk).done == 1
    assert len(posts_to(desk, KUDOS_CHANNEL)) == posts_before + 1
    monday_after = next_monday_10 + timedelta(days=7)
    assert _digest_jobs(desk)[1:] == [
        ("done", next_monday_10, {"due": next_monday_10.isoformat()}),
        ("pending", monday_after, {"due": monday_after.isoformat()}),
    ]
    _advance_to(desk, monday_after - timedelta(seconds=1))
    assert run_jobs(desk).ran == 0


def test_kudos_by_reaction_count_and_withdrawn_ones_do_not(kudos_desk: Desk) -> None:
    desk = kudos_desk
    work = ListenerWork(desk.pulsedesk.listener_executor)
    _advance_to(desk, START + timedelta(hours=2))
    _schedule(desk)
    reactions = [
        ("U0G1", "reaction_added", "1793610000.000001"),
        ("U0G2", "reaction_added", "1793610000.000002"),
        ("U0G2", "reaction_removed", "1793610000.000003"),
    ]
    for giver, kind, event_ts in reactions:
        event = {
            "type": kind,
            "user": giver,
            "reaction": "clap",
            "item_user": "U0ALEX",
            "item": {"type": "message", "channel": "C0GENERAL", "ts": "1793600000.000100"},
            "event_ts": event_ts,
        }
        assert desk.slack.event(event).status == 200
        work.settle()
    give_kudos(desk, "<@U0SAM> for the review", user="U0G1")
    assert [(k.giver_id, k.withdrawn_at is None) for k in kudos_rows(desk)] == [
        ("U0G1", True),
        ("U0G2", False),
        ("U0G1", True),
    ]

    _advance_to(desk, NEXT_MONDAY_10)
    run_jobs(desk)
    [digest] = [c for c in posts_to(desk, KUDOS_CHANNEL) if c.params["text"].startswith("Last")]
    assert digest.params["blocks"][0]["text"]["text"] == (
        ":sparkles: *Last week in kudos*: 2 thanks from 1 person to 2 people.\n"
        "Thank you, <@U0ALEX> and <@U0SAM>!"
    )


def test_the_digest_is_not_scheduled_while_kudos_channel_is_unset(desk: Desk) -> None:
    assert _schedule(desk) is None
    assert jobs_of(desk, "kudos.digest") == []


@pytest.fixture
def london_desk(desk_with: DeskFactory) -> Desk:
    return desk_with(
        kudos_channel=KUDOS_CHANNEL,
        kudos_digest_timezone="Europe/London",
    )


def test_kudos_given_just_after_a_digest_before_the_clocks_go_back_are_in_the_next(
    london_desk: Desk,
) -> None:
    desk = london_desk
    # Monday 2027-10-25 10:00 in London is 09:00 UTC (BST); the clocks go back on the 31st.
    first_due = datetime(2027, 10, 25, 9, 0, tzinfo=UTC)
    second_due = datetime(2027, 11, 1, 10, 0, tzinfo=UTC)
    _advance_to(desk, first_due - timedelta(hours=1))
    assert _schedule(desk) == first_due
    _advance_to(desk, first_due)
    assert run_jobs(desk).done == 1
    assert posts_to(desk, KUDOS_CHANNEL) == []

    _advance_to(desk, first_due + timedelta(minutes=30))  # 10:30 in London, after the digest
    give_kudos(desk, "<@U0ALEX> for the Monday fix", user="U0BEA")
    _advance_to(desk, second_due)
    assert run_jobs(desk).done == 1

    digests = [c for c in posts_to(desk, KUDOS_CHANNEL) if c.params["text"].startswith("Last")]
    assert [d.params["blocks"][0]["text"]["text"] for d in digests] == [
        ":sparkles: *Last week in kudos*: 1 thanks from 1 person to 1 person.\n"
        "Thank you, <@U0ALEX>!"
    ]


def test_kudos_given_just_before_a_digest_before_the_clocks_go_forward_are_thanked_once(
    london_desk: Desk,
) -> None:
    desk = london_desk
    # Monday 2027-03-22 10:00 in London is 10:00 UTC (GMT); the clocks go forward on the 28th,
    # so the next digest, at 10:00 BST, is 6 days and 23 hours later.
    first_due = datetime(2027, 3, 22, 10, 0, tzinfo=UTC)
    second_due = datetime(2027, 3, 29, 9, 0, tzinfo=UTC)
    _advance_to(desk, first_due - timedelta(minutes=30))
    assert _schedule(desk) == first_due
    give_kudos(desk, "<@U0ALEX> for the Monday fix", user="U0BEA")
    _advance_to(desk, first_due)
    assert run_jobs(desk).done == 1
    _advance_to(desk, first_due + timedelta(days=2))
    give_kudos(desk, "<@U0SAM> for the Wednesday review", user="U0BEA")
    _advance_to(desk, second_due)
    assert run_jobs(desk).done == 1

    digests = [c for c in posts_to(desk, KUDOS_CHANNEL) if c.params["text"].startswith("Last")]
    assert [d.params["blocks"][0]["text"]["text"] for d in digests] == [
        ":sparkles: *Last week in kudos*: 1 thanks from 1 person to 1 person.\n"
        "Thank you, <@U0ALEX>!",
        ":sparkles: *Last week in kudos*: 1 thanks from 1 person to 1 person.\n"
        "Thank you, <@U0SAM>!",
    ]
    next_due = datetime(2027, 4, 5, 9, 0, tzinfo=UTC)
    assert _digest_jobs(desk)[-1] == ("pending", next_due, {"due": next_due.isoformat()})
