"""A reply from Slack lost on the way back never makes a second message: for each kind of
message the bot posts, Slack takes the post and then the connection drops, or Slack answers
500, and exactly one message is in the conversation afterwards."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.calendar import Week
from tests.e2e.conftest import KUDOS_CHANNEL, TEAM_ID, Desk, DeskFactory
from tests.e2e.helpers import file_request, give_kudos, resolve, run_jobs
from tests.e2e.survey_steps import DELAY, ListenerWork

HOWS = ["drop", "500"]


def _tagged(desk: Desk, conversation: str, event_type: str) -> list[dict[str, object]]:
    return [
        m
        for m in desk.fake.history.get(conversation, [])
        if (m.get("metadata") or {}).get("event_type") == event_type
    ]


@pytest.mark.parametrize("how", HOWS)
def test_a_request_card_lands_once(desk: Desk, how: str) -> None:
    desk.fake.lose_answer("chat.postMessage", how=how)
    request = file_request(desk)
    assert len(_tagged(desk, "C0IT000001", "pulsedesk_request_card")) == 1
    assert request.card_ts == desk.fake.history["C0IT000001"][0]["ts"]


@pytest.mark.parametrize("how", HOWS)
def test_a_dm_to_the_requester_lands_once(desk: Desk, how: str) -> None:
    request = file_request(desk)
    desk.fake.lose_answer("chat.postMessage", how=how)
    assert (
        desk.slack.block_action("request_claim", user="U0AGENT1", value=f"req:{request.id}").status
        == 200
    )
    desk.pulsedesk.finish_work()
    assert len(_tagged(desk, "D0ALICE", "pulsedesk_request_update")) == 1


@pytest.mark.parametrize("how", HOWS)
def test_a_satisfaction_pulse_lands_once(desk: Desk, how: str) -> None:
    request = file_request(desk)
    resolve(desk, request)
    desk.clock.advance(DELAY)
    desk.fake.lose_answer("chat.postMessage", how=how)
    assert run_jobs(desk).done >= 1
    assert len(_tagged(desk, "D0ALICE", "pulsedesk_satisfaction_pulse")) == 1


@pytest.mark.parametrize("how", HOWS)
def test_a_weekly_pulse_dm_lands_once(desk: Desk, how: str) -> None:
    desk.fake.members = [{"id": "U0ALICE", "tz": "Europe/London", "deleted": False}]
    desk.pulsedesk.services.rounds.start_round(
        team_id=TEAM_ID, week=Week.of(desk.clock.now().date()), send_now=True
    )
    desk.fake.lose_answer("chat.postMessage", how=how)
    run_jobs(desk)
    assert len(_tagged(desk, "D0ALICE", "pulsedesk_weekly_pulse")) == 1


@pytest.mark.parametrize("how", HOWS)
def test_a_shout_out_lands_once(desk_with: DeskFactory, how: str) -> None:
    desk = desk_with(kudos_channel=KUDOS_CHANNEL)
    desk.fake.lose_answer("chat.postMessage", how=how)
    give_kudos(desk, "<@U0ALEX> thanks for the quick fix", user="U0BEA")
    assert len(_tagged(desk, KUDOS_CHANNEL, "pulsedesk_shoutout")) == 1


@pytest.mark.parametrize("how", HOWS)
def test_a_batched_kudos_line_and_a_digest_land_once(desk_with: DeskFactory, how: str) -> None:
    desk = desk_with(kudos_channel=KUDOS_CHANNEL)
    work = ListenerWork(desk.pulsedesk.listener_executor)
    event = {
        "type": "reaction_added",
        "user": "U0BEA",
        "reaction": "clap",
        "item_user": "U0ALEX",
        "item": {"type": "message", "channel": "C0GENERAL", "ts": "1793600000.000100"},
        "event_ts": "1793610000.000001",
    }
    assert desk.slack.event(event).status == 200
    work.settle()
    desk.clock.advance(timedelta(minutes=10))
    desk.fake.lose_answer("chat.postMessage", how=how)
    run_jobs(desk)
    assert len(_tagged(desk, KUDOS_CHANNEL, "pulsedesk_kudos_reactions")) == 1

    desk.pulsedesk.services.standings.schedule_digest(team_id=TEAM_ID)
    desk.clock.advance(timedelta(days=7))
    desk.fake.lose_answer("chat.postMessage", how=how)
    run_jobs(desk)
    assert len(_tagged(desk, KUDOS_CHANNEL, "pulsedesk_kudos_digest")) == 1
