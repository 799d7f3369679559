"""Reading message events for the conversation relay: people's replies, edits and deletions are
kept; bots' messages, channel chatter and garbage are not."""

from __future__ import annotations

from typing import Any

import pytest

from bot.conversations.messages import build_reply_to_requester
from bot.conversations.rules import MessageChange, ThreadMessage
from bot.requests.rules import RequestStatus
from handlers.conversations import parse_thread_message, worth_keeping
from tests.unit.requests.test_messages import make_request

REPLY = {
    "type": "message",
    "channel": "C0IT000001",
    "user": "U0AGENT1",
    "text": "On it &lt;soon&gt; <@U0ALICE|alice>",
    "ts": "1700000002.000100",
    "thread_ts": "1700000001.000100",
}


def _body(event: dict[str, Any]) -> dict[str, Any]:
    return {"team_id": "T0TEST", "event": event}


def test_a_reply_is_read_as_plain_text() -> None:
    assert parse_thread_message(_body(REPLY)) == ThreadMessage(
        team_id="T0TEST",
        channel="C0IT000001",
        ts="1700000002.000100",
        thread_ts="1700000001.000100",
        user_id="U0AGENT1",
        text="On it <soon> @alice",
    )
    assert worth_keeping(_body(REPLY))


def test_an_edit_and_a_deletion_name_the_message_they_change() -> None:
    edited = parse_thread_message(
        _body(
            {
                "type": "message",
                "subtype": "message_changed",
                "channel": "C0IT000001",
                "message": {**REPLY, "text": "Done"},
            }
        )
    )
    assert edited is not None
    assert (edited.change, edited.ts, edited.text) == (MessageChange.EDITED, REPLY["ts"], "Done")
    deleted = parse_thread_message(
        _body(
            {
                "type": "message",
                "subtype": "message_deleted",
                "channel": "C0IT000001",
                "deleted_ts": REPLY["ts"],
                "previous_message": REPLY,
            }
        )
    )
    assert deleted is not None
    assert (deleted.change, deleted.ts) == (MessageChange.DELETED, REPLY["ts"])


@pytest.mark.parametrize(
    "event",
    [
        {**REPLY, "bot_id": "B0BOT"},
        {**REPLY, "subtype": "bot_message"},
        {**REPLY, "subtype": "channel_join"},
        {**REPLY, "user": None},
        {**REPLY, "user": "not a user"},
        {**REPLY, "ts": "yesterday"},
        {**REPLY, "ts": ["1700000002.000100"]},
        {**REPLY, "channel": "#general"},
        {**REPLY, "type": "reaction_added"},
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": "C0IT000001",
            "message": "not a message",
        },
        {"type": "message", "subtype": "message_deleted", "channel": "C0IT000001"},
    ],
)
def test_bots_chatter_and_garbage_are_left_alone(event: dict[str, Any]) -> None:
    assert parse_thread_message(_body(event)) is None
    assert not worth_keeping(_body(event))


def test_a_message_outside_a_thread_is_not_kept() -> None:
    top_level = {key: value for key, value in REPLY.items() if key != "thread_ts"}
    assert not worth_keeping(_body(top_level))
    assert not worth_keeping(_body({**REPLY, "thread_ts": REPLY["ts"]}))


def test_internal_notes_are_known_by_their_prefix() -> None:
    message = parse_thread_message(_body({**REPLY, "text": "  // only for us"}))
    assert message is not None
    assert message.is_internal


def test_a_file_shared_with_no_text_is_relayed_as_a_note_of_it() -> None:
    message = parse_thread_message(
        _body({**REPLY, "subtype": "file_share", "text": "", "files": [{"id": "F1"}]})
    )
    assert message is not None
    assert message.has_files
    request = make_request(status=RequestStatus.OPEN)
    blocks = build_reply_to_requester(request, message)["blocks"]
    assert [b["type"] for b in blocks] == ["context", "context"]
    assert "file" in blocks[-1]["elements"][0]["text"]
