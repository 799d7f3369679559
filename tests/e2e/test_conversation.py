"""The conversation in one thread, through the real endpoint: agents' replies in the card's
thread reach the requester in a DM thread of the request, the requester's replies there come
back to the card's thread, edits and deletions follow, and nothing is relayed twice or loops."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from models import Job, Request
from tests.e2e.conftest import Desk
from tests.e2e.helpers import (
    file_request,
    get_request,
    intake_jobs,
    intake_settled,
    intake_settled_or_waiting,
    text_of,
)
from tests.e2e.test_service_levels import TARGETS, _it_promises
from tests.fake_slack import Call, ScriptedFailure

CARD_CHANNEL = "C0IT000001"
REQUESTER_DM = "D0ALICE"


def _say(
    desk: Desk,
    user: str,
    channel: str,
    text: str,
    *,
    thread_ts: str | None,
    event_id: str | None = None,
    channel_type: str = "channel",
) -> str:
    """A person posts in Slack: the message lands, and Slack tells the bot."""
    posted: dict[str, Any] = {"user": user, "is_bot": False, "text": text}
    if thread_ts:
        posted["thread_ts"] = thread_ts
    stored = desk.fake.workspace.post(channel, posted)
    event: dict[str, Any] = {
        "type": "message",
        "channel": channel,
        "channel_type": channel_type,
        "user": user,
        "text": text,
        "ts": stored["ts"],
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    assert desk.slack.event(event, event_id=event_id).status == 200
    return str(stored["ts"])


def _posts_in(desk: Desk, channel: str, thread_ts: str | None) -> list[Call]:
    return [
        c
        for c in desk.fake.calls_to("chat.postMessage")
        if c.params.get("channel") == channel and c.params.get("thread_ts") == thread_ts
    ]


def _conversation_of(desk: Desk, request: Request) -> str:
    desk.fake.wait_for(lambda _: get_request(desk, request.id).conversation_ts)
    ts = get_request(desk, request.id).conversation_ts
    assert ts is not None
    return ts


def _replies_to_requester(desk: Desk, request: Request) -> list[Call]:
    thread = get_request(desk, request.id).conversation_ts
    return _posts_in(desk, "U0ALICE", thread) if thread else []


def _agent_replies(desk: Desk, request: Request, text: str, **kwargs: Any) -> str:
    assert request.card_ts is not None
    return _say(desk, "U0AGENT1", CARD_CHANNEL, text, thread_ts=request.card_ts, **kwargs)


def test_an_agents_reply_reaches_the_requester_in_a_thread_of_their_own(desk: Desk) -> None:
    request = file_request(desk, "it the vpn drops")

    _agent_replies(desk, request, "Which office are you in?")

    thread = _conversation_of(desk, request)
    [opening] = [
        c for c in _posts_in(desk, "U0ALICE", None) if "the team's replies arrive" in text_of(c)
    ]
    assert f"REQ-{request.id}" in text_of(opening)
    [copy] = desk.fake.wait_for(lambda _: _replies_to_requester(desk, request))
    assert copy.params["thread_ts"] == thread
    assert "Which office are you in?" in text_of(copy)
    assert "<@U0AGENT1> · IT Help Desk" in text_of(copy)

    _agent_replies(desk, request, "And which laptop?")
    desk.fake.wait_for(lambda _: len(_replies_to_requester(desk, request)) == 2)
    # One thread per request: the second reply goes into the same one.
    assert len([c for c in _posts_in(desk, "U0ALICE", None) if "replies arrive" in text_of(c)]) == 1


def test_the_requesters_reply_in_their_thread_reaches_the_cards_thread(desk: Desk) -> None:
    request = file_request(desk, "it the vpn drops")
    _agent_replies(desk, request, "Which office are you in?")
    thread = _conversation_of(desk, request)

    _say(desk, "U0ALICE", REQUESTER_DM, "Berlin, 3rd floor", thread_ts=thread, channel_type="im")

    assert request.card_ts is not None
    [back] = desk.fake.wait_for(
        lambda _: [c for c in _posts_in(desk, CARD_CHANNEL, request.card_ts)]
    )
    assert "Berlin, 3rd floor" in text_of(back)
    assert "<@U0ALICE> (requester)" in text_of(back)


def test_a_reply_is_a_first_response_and_ends_its_reminders(desk: Desk) -> None:
    _it_promises(desk, TARGETS)
    request = file_request(desk, "it the vpn drops")
    desk.clock.advance(timedelta(minutes=10))

    _agent_replies(desk, request, "Looking at it now")

    desk.fake.wait_for(lambda _: get_request(desk, request.id).first_response_at is not None)
    assert get_request(desk, request.id).first_response_at == desk.clock.now()
    intake_settled(desk)
    with desk.session_factory() as session:
        pending = set(
            session.scalars(
                select(Job.unique_key).where(Job.state == "pending", Job.kind.like("sla.%"))
            )
        )
    assert pending == {
        f"sla.remind:{request.id}:resolution",
        f"sla.escalate:{request.id}:resolution",
    }
    desk.fake.wait_for(
        lambda calls: any(
            c.method == "chat.update" and "First response :white_check_mark: met" in text_of(c)
            for c in calls
        )
    )


def test_internal_notes_and_other_peoples_replies_stay_in_the_channel(desk: Desk) -> None:
    request = file_request(desk, "it the vpn drops")
    assert request.card_ts is not None

    _agent_replies(desk, request, "// she filed this last week too")
    _say(desk, "U0SOMEONE", CARD_CHANNEL, "me too!", thread_ts=request.card_ts)
    _say(desk, "U0ALICE", CARD_CHANNEL, "any news?", thread_ts=request.card_ts)
    intake_settled(desk)

    assert _replies_to_requester(desk, request) == []
    assert get_request(desk, request.id).conversation_ts is None
    assert get_request(desk, request.id).first_response_at is None


def test_a_message_delivered_again_is_relayed_once(desk: Desk) -> None:
    request = file_request(desk, "it the vpn drops")
    ts = _agent_replies(desk, request, "Try turning it off and on", event_id="EvSAME")
    desk.fake.wait_for(lambda _: _replies_to_requester(desk, request))

    # Slack's retry of the same event, and the same message in an event of another id.
    event = {
        "type": "message",
        "channel": CARD_CHANNEL,
        "user": "U0AGENT1",
        "text": "Try turning it off and on",
        "ts": ts,
        "thread_ts": request.card_ts,
    }
    desk.slack.event(event, event_id="EvSAME")
    desk.slack.event(event, event_id="EvOTHER")
    intake_settled(desk)

    assert len(_replies_to_requester(desk, request)) == 1


def test_a_copy_whose_answer_was_lost_is_found_not_posted_again(desk: Desk) -> None:
    request = file_request(desk, "it the vpn drops")
    _agent_replies(desk, request, "First message")
    _conversation_of(desk, request)
    desk.fake.wait_for(lambda _: _replies_to_requester(desk, request))

    desk.fake.lose_answer("chat.postMessage", how="500")
    _agent_replies(desk, request, "Second message")
    intake_settled(desk)

    thread = desk.fake.workspace.thread(REQUESTER_DM, _conversation_of(desk, request))
    assert thread is not None
    assert [("Second" in str(m.get("text"))) for m in thread[1:]] == [False, True]


def test_the_bots_own_copies_are_never_relayed_back(desk: Desk) -> None:
    request = file_request(desk, "it the vpn drops")
    _agent_replies(desk, request, "Hello from IT")
    thread = _conversation_of(desk, request)
    [copy] = desk.fake.wait_for(lambda _: _replies_to_requester(desk, request))

    # Slack tells the bot of its own message in the DM thread, as it does.
    desk.slack.event(
        {
            "type": "message",
            "channel": REQUESTER_DM,
            "channel_type": "im",
            "user": "U0BOT",
            "bot_id": "B0BOT",
            "text": copy.params["text"],
            "ts": "1700000099.000001",
            "thread_ts": thread,
        }
    )
    intake_settled(desk)

    assert _posts_in(desk, CARD_CHANNEL, request.card_ts) == []


def test_edits_and_deletions_follow_the_copy(desk: Desk) -> None:
    request = file_request(desk, "it the vpn drops")
    ts = _agent_replies(desk, request, "Reboot at 5")
    desk.fake.wait_for(lambda _: _replies_to_requester(desk, request))
    thread = desk.fake.workspace.thread(REQUESTER_DM, _conversation_of(desk, request))
    assert thread is not None
    relayed_ts = str(thread[-1]["ts"])

    edited = {"user": "U0AGENT1", "text": "Reboot at 6", "ts": ts, "thread_ts": request.card_ts}
    desk.slack.event(
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": CARD_CHANNEL,
            "message": edited,
            "ts": "1700000100.000001",
        }
    )
    [update] = desk.fake.wait_for_call(
        "chat.update", where=lambda c: c.params.get("ts") == relayed_ts
    )
    assert "Reboot at 6" in text_of(update)
    assert "edited" in text_of(update)

    desk.slack.event(
        {
            "type": "message",
            "subtype": "message_deleted",
            "channel": CARD_CHANNEL,
            "deleted_ts": ts,
            "previous_message": edited,
            "ts": "1700000101.000001",
        }
    )
    desk.fake.wait_for_call("chat.delete", where=lambda c: c.params.get("ts") == relayed_ts)
    assert desk.fake.workspace.message(REQUESTER_DM, relayed_ts) is None


def test_relayed_text_is_escaped_and_cannot_ping(desk: Desk) -> None:
    request = file_request(desk, "it the vpn drops")

    _agent_replies(desk, request, "<!channel> look &amp; see <https://evil.test|here>")

    [copy] = desk.fake.wait_for(lambda _: _replies_to_requester(desk, request))
    assert "<!channel>" not in text_of(copy)
    assert "<https://evil.test" not in text_of(copy)
    assert "@channel look &amp; see here (https://evil.test)" in text_of(copy)


def test_a_message_to_the_app_outside_any_request_is_told_where_to_write(desk: Desk) -> None:
    ts = _say(desk, "U0ALICE", REQUESTER_DM, "hello?", thread_ts=None, channel_type="im")
    intake_settled(desk)
    _say(desk, "U0ALICE", REQUESTER_DM, "hello?", thread_ts=None, channel_type="im")
    intake_settled(desk)

    answers = _posts_in(desk, REQUESTER_DM, ts)
    assert len(answers) == 1
    assert "reply in that request's thread" in text_of(answers[0])


def test_a_reply_edited_into_an_internal_note_is_taken_back(desk: Desk) -> None:
    request = file_request(desk, "it the vpn drops")
    ts = _agent_replies(desk, request, "She asked about this before")
    desk.fake.wait_for(lambda _: _replies_to_requester(desk, request))
    thread = desk.fake.workspace.thread(REQUESTER_DM, _conversation_of(desk, request))
    assert thread is not None
    copy_ts = str(thread[-1]["ts"])

    edited = {
        "user": "U0AGENT1",
        "text": "// she asked about this before",
        "ts": ts,
        "thread_ts": request.card_ts,
    }
    desk.slack.event(
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": CARD_CHANNEL,
            "message": edited,
            "ts": "1700000200.000001",
        }
    )

    desk.fake.wait_for_call("chat.delete", where=lambda c: c.params.get("ts") == copy_ts)


def test_a_copy_slack_refused_is_relayed_when_it_is_tried_again(desk: Desk) -> None:
    request = file_request(desk, "it the vpn drops")
    _agent_replies(desk, request, "First")
    thread = _conversation_of(desk, request)
    desk.fake.wait_for(lambda _: _replies_to_requester(desk, request))
    desk.fake.fail_where(
        "chat.postMessage",
        lambda params: params.get("channel") == CARD_CHANNEL,
        *[ScriptedFailure(500)] * 3,
    )

    _say(desk, "U0ALICE", REQUESTER_DM, "Berlin", thread_ts=thread, channel_type="im")
    intake_settled_or_waiting(desk)
    desk.clock.advance(timedelta(minutes=5))
    # The relay's own job is due again: a tick runs it, as `serve` would.
    desk.pulsedesk.services.ticker.tick()

    assert request.card_ts is not None
    back = [c for c in _posts_in(desk, CARD_CHANNEL, request.card_ts) if "Berlin" in text_of(c)]
    assert len(back) >= 1
    in_thread = desk.fake.workspace.thread(CARD_CHANNEL, request.card_ts)
    assert in_thread is not None
    assert len([m for m in in_thread if "Berlin" in str(m.get("text"))]) == 1


def test_two_deliveries_of_one_message_at_once_make_one_copy(desk: Desk) -> None:
    request = file_request(desk, "it the vpn drops")
    _agent_replies(desk, request, "First")
    thread = _conversation_of(desk, request)
    desk.fake.wait_for(lambda _: _replies_to_requester(desk, request))
    assert request.card_ts is not None
    posts = desk.fake.hold("chat.postMessage")
    stored = desk.fake.workspace.post(
        REQUESTER_DM, {"user": "U0ALICE", "is_bot": False, "text": "Berlin", "thread_ts": thread}
    )
    event = {
        "type": "message",
        "channel": REQUESTER_DM,
        "channel_type": "im",
        "user": "U0ALICE",
        "text": "Berlin",
        "ts": stored["ts"],
        "thread_ts": thread,
    }

    # The first delivery is posting its copy (held) when the second arrives.
    desk.slack.event(event, event_id="EvFIRST")
    desk.fake.wait_for(lambda calls: any("Berlin" in text_of(c) for c in calls))
    desk.slack.event(event, event_id="EvSECOND")
    # The second finds the copy being posted and waits to be tried again.
    desk.fake.wait_for(lambda _: intake_jobs(desk, "pending") == 1)
    posts.set()
    intake_settled_or_waiting(desk)
    desk.clock.advance(timedelta(minutes=10))
    desk.pulsedesk.services.ticker.tick()

    in_thread = desk.fake.workspace.thread(CARD_CHANNEL, request.card_ts)
    assert in_thread is not None
    assert len([m for m in in_thread if "Berlin" in str(m.get("text"))]) == 1


def test_a_long_reply_is_relayed_whole(desk: Desk) -> None:
    request = file_request(desk, "it the vpn drops")
    long_reply = " ".join(f"step-{n}" for n in range(1500))

    _agent_replies(desk, request, long_reply)

    [copy] = desk.fake.wait_for(lambda _: _replies_to_requester(desk, request))
    sections = [b["text"]["text"] for b in copy.params["blocks"] if b["type"] == "section"]
    assert len(sections) > 1
    assert "".join(sections) == long_reply
