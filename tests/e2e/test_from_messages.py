"""Requests from any message, through the real endpoint: a request emoji files a message for its
author once, however often it is delivered or reacted to, with its thread; the File a request
shortcut opens the form with the message in it and may file it for its author."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.app import sync_departments_at_start
from bot.departments import parse_config
from models import Request
from tests.e2e.conftest import DEPARTMENTS_TOML, TEAM_ID, Desk, DeskFactory
from tests.e2e.helpers import dms_to, get_request, intake_settled, latest_request, text_of
from tests.fake_slack import Call

GENERAL = "C0GENERAL"


def _post(desk: Desk, user: str, text: str, *, thread_ts: str | None = None) -> str:
    message: dict[str, Any] = {"user": user, "is_bot": False, "text": text}
    if thread_ts:
        message["thread_ts"] = thread_ts
    return str(desk.fake.workspace.post(GENERAL, message)["ts"])


def _react(
    desk: Desk, ts: str, *, user: str = "U0BOB", emoji: str = "ticket", event_id: str | None = None
) -> None:
    event = {
        "type": "reaction_added",
        "user": user,
        "reaction": emoji,
        "item": {"type": "message", "channel": GENERAL, "ts": ts},
        "item_user": "U0ALICE",
        "event_ts": "1700000500.000001",
    }
    assert desk.slack.event(event, event_id=event_id).status == 200
    intake_settled(desk)


def _requests(desk: Desk) -> int:
    with desk.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(Request)) or 0)


def _filed_replies(desk: Desk, ts: str) -> list[Call]:
    return [
        c
        for c in desk.fake.calls_to("chat.postMessage")
        if c.params.get("channel") == GENERAL and c.params.get("thread_ts") == ts
    ]


def test_a_request_emoji_files_the_message_for_its_author(desk_with: DeskFactory) -> None:
    desk = desk_with(request_emoji="ticket")
    # As Slack sends what a person typed: their <, > and & escaped.
    ts = _post(desk, "U0ALICE", "My laptop shows a &lt;b&gt;blue&lt;/b&gt; screen &amp; restarts")

    _react(desk, ts)

    request = latest_request(desk)
    assert request is not None
    assert (request.requester_id, request.filed_by_id) == ("U0ALICE", "U0BOB")
    assert request.department.key == "it"
    assert request.text == "My laptop shows a <b>blue</b> screen & restarts"
    assert (request.source_channel_id, request.source_ts) == (GENERAL, ts)
    assert request.source_permalink is not None
    assert ts.replace(".", "") in request.source_permalink
    [reply] = _filed_replies(desk, ts)
    assert f"Filed as *REQ-{request.id}* with IT Help Desk" in text_of(reply)
    [told] = [c for c in dms_to(desk, "U0ALICE") if "for you" in text_of(c)]
    assert "<@U0BOB> filed" in text_of(told)
    card = [
        c for c in desk.fake.calls_to("chat.postMessage") if c.params["channel"] == "C0IT000001"
    ]
    assert "filed by <@U0BOB>" in text_of(card[-1])
    assert "&lt;b&gt;blue&lt;/b&gt;" in text_of(card[-1])


def test_a_message_is_filed_once_however_often_it_is_reacted_to(desk_with: DeskFactory) -> None:
    desk = desk_with(request_emoji="ticket")
    ts = _post(desk, "U0ALICE", "My password expired again")

    _react(desk, ts, event_id="EvONE")
    _react(desk, ts, event_id="EvONE")
    _react(desk, ts, user="U0CAROL")
    _react(desk, ts, user="U0ALICE")

    assert _requests(desk) == 1
    assert len(_filed_replies(desk, ts)) == 1
    assert len([c for c in dms_to(desk, "U0ALICE") if "for you" in text_of(c)]) == 1


def test_a_lost_answer_on_the_thread_reply_is_found_not_posted_again(
    desk_with: DeskFactory,
) -> None:
    desk = desk_with(request_emoji="ticket")
    ts = _post(desk, "U0ALICE", "My password expired")
    desk.fake.lose_answer("chat.postMessage", how="500")

    _react(desk, ts)

    thread = desk.fake.workspace.thread(GENERAL, ts)
    assert thread is not None
    assert [str(m.get("text", "")).startswith(":inbox_tray: Filed") for m in thread[1:]] == [True]


def test_the_threads_replies_come_with_their_authors(desk_with: DeskFactory) -> None:
    desk = desk_with(request_emoji="ticket")
    ts = _post(desk, "U0ALICE", "The printer on 3 is jammed")
    _post(desk, "U0BOB", "same on 4", thread_ts=ts)
    _post(desk, "U0CAROL", "and the laptop dock", thread_ts=ts)

    _react(desk, ts)

    request = latest_request(desk)
    assert request is not None
    assert request.text == (
        "The printer on 3 is jammed\n\nThread (2 replies):\n"
        "Person U0BOB: same on 4\nPerson U0CAROL: and the laptop dock"
    )


def test_a_departments_own_emoji_files_with_it(desk: Desk) -> None:
    keywords = 'keywords = ["payroll", "holiday", "laptop allowance"]'
    sync_departments_at_start(
        session_factory=desk.session_factory,
        configs=parse_config(
            Path("departments.toml"),
            DEPARTMENTS_TOML.replace(keywords, f'{keywords}\nrequest_emoji = "money_with_wings"'),
        ).departments,
        team_id=TEAM_ID,
        clock=desk.clock,
    )
    ts = _post(desk, "U0ALICE", "My laptop is slow")

    _react(desk, ts, emoji="money_with_wings")
    _react(desk, ts, emoji="ticket")

    request = latest_request(desk)
    assert request is not None
    assert request.department.key == "hr"
    assert _requests(desk) == 1


def test_when_nothing_can_be_filed_the_reactor_is_told_and_nothing_is(
    desk_with: DeskFactory,
) -> None:
    desk = desk_with(request_emoji="ticket")
    ts = _post(desk, "U0ALICE", "lunch anyone?")
    bots = str(desk.fake.workspace.post(GENERAL, {"text": "Reminder: laptop updates"})["ts"])

    _react(desk, ts)
    _react(desk, bots)

    assert _requests(desk) == 0
    [no_team, not_a_person] = desk.fake.calls_to("chat.postEphemeral")
    assert no_team.params["user"] == "U0BOB"
    assert "could not tell which team" in text_of(no_team)
    assert "Only a person's message" in text_of(not_a_person)
    assert _filed_replies(desk, ts) == []


def _shortcut(desk: Desk, ts: str, *, user: str = "U0BOB") -> Call:
    payload = {
        "type": "message_action",
        "callback_id": "request_from_message",
        "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM_ID},
        "api_app_id": "A0PULSE",
        "trigger_id": "trigger-shortcut-1",
        "channel": {"id": GENERAL, "name": "general"},
        "message": {"type": "message", "user": "U0ALICE", "text": "The vpn drops", "ts": ts},
        "response_url": desk.slack.response_base + "shortcut-1",
    }
    assert desk.slack.post_form({"payload": json.dumps(payload)}).status == 200
    [opened] = desk.fake.wait_for_call("views.open")
    return opened


def test_the_shortcut_opens_the_form_with_the_message_and_may_file_it_for_its_author(
    desk: Desk,
) -> None:
    ts = _post(desk, "U0ALICE", "The vpn drops")

    opened = _shortcut(desk, ts)

    view = opened.params["view"]
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["description"]["element"]["initial_value"] == "The vpn drops"
    # "vpn" is a keyword of both IT and Facilities: no department is chosen for them.
    assert "initial_option" not in blocks["department"]["element"]
    asker = blocks["requester"]["element"]
    assert [o["value"] for o in asker["options"]] == ["me", "author"]
    assert asker["initial_option"]["value"] == "me"
    metadata = json.loads(view["private_metadata"])

    result = desk.slack.view_submission(
        user="U0BOB",
        view_id="V0SHORTCUT",
        description="The vpn drops",
        private_metadata=json.dumps(metadata),
        more_values={
            "requester": {
                "request_requester": {
                    "type": "radio_buttons",
                    "selected_option": {"value": "author"},
                }
            }
        },
    )

    assert result.status == 200
    desk.fake.wait_for(lambda _: (r := latest_request(desk)) is not None and r.card_ts)
    request = latest_request(desk)
    assert request is not None
    assert (request.requester_id, request.filed_by_id, request.source_ts) == (
        "U0ALICE",
        "U0BOB",
        ts,
    )
    desk.fake.wait_for(lambda _: [c for c in dms_to(desk, "U0ALICE") if "for you" in text_of(c)])
    # The filer is told too, as for any request filed with the form.
    desk.fake.wait_for(lambda _: [c for c in dms_to(desk, "U0BOB") if "Filed" in text_of(c)])
    assert get_request(desk, request.id).requester_id == "U0ALICE"


def test_a_forged_message_source_files_for_the_filer_only(desk: Desk) -> None:
    result = desk.slack.view_submission(
        user="U0BOB",
        view_id="V0FORGED",
        private_metadata=json.dumps({"source": {"channel": "x", "ts": "y", "author": "U0ALICE"}}),
        more_values={
            "requester": {
                "request_requester": {
                    "type": "radio_buttons",
                    "selected_option": {"value": "author"},
                }
            }
        },
    )

    assert result.status == 200
    desk.fake.wait_for(lambda _: (r := latest_request(desk)) is not None and r.card_ts)
    request = latest_request(desk)
    assert request is not None
    assert (request.requester_id, request.filed_by_id, request.source_ts) == ("U0BOB", None, None)
