"""A resolved request's "Send kudos to …": the button on the resolution and answered pulse DMs,
its modal, and the shout-out that names the request and its department, never its text."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models import Request
from tests.e2e.conftest import KUDOS_CHANNEL, Desk
from tests.e2e.helpers import (
    action_ids,
    dms_to,
    file_request,
    jobs_of,
    kudos_rows,
    kudos_submission,
    posts_to,
    pulses,
    resolve,
    run_jobs,
    shoutout_rows,
    text_of,
)
from tests.e2e.survey_steps import DELAY, ListenerWork
from tests.fake_slack import Call

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
REQUEST_TEXT = "it My laptop will not boot"


@pytest.fixture
def listeners(kudos_desk: Desk) -> ListenerWork:
    return ListenerWork(kudos_desk.pulsedesk.listener_executor)


def _buttons(call: Call) -> list[dict[str, Any]]:
    return [e for b in call.params["blocks"] if b["type"] == "actions" for e in b["elements"]]


def _kudos_button(call: Call) -> dict[str, Any]:
    [button] = [e for e in _buttons(call) if e["action_id"] == "kudos_send"]
    return button


def _resolved(desk: Desk) -> tuple[Request, Call]:
    desk.fake.user_profiles["U0AGENT1"] = {"profile": {"display_name": "Alex"}}
    request = file_request(desk, REQUEST_TEXT)
    return request, resolve(desk, request, agent="U0AGENT1")


def _click_send_kudos(desk: Desk, request: Request, user: str = "U0ALICE") -> None:
    result = desk.slack.block_action(
        "kudos_send", user=user, value=f"req:{request.id}", channel=f"D{user[1:]}"
    )
    assert result.status == 200


def _confirmations(desk: Desk, user: str = "U0ALICE") -> list[Call]:
    return [c for c in dms_to(desk, user) if "Thanks sent to" in c.params["text"]]


def _links_to(text: str, link: str) -> bool:
    """Whether `text` links to the shout-out and names the kudos channel."""
    return f"<{link}|" in text and f"<#{KUDOS_CHANNEL}>" in text


def _permalink(ts: str) -> str:
    return f"https://sandbox.slack.test/archives/{KUDOS_CHANNEL}/p{ts.replace('.', '')}"


def test_the_resolution_dm_offers_kudos_and_an_empty_form_thanks_the_resolver(
    kudos_desk: Desk, listeners: ListenerWork
) -> None:
    desk = kudos_desk
    request, resolution_dm = _resolved(desk)

    assert action_ids(resolution_dm.params["blocks"]) == ["request_reopen", "kudos_send"]
    button = _kudos_button(resolution_dm)
    assert (button["text"]["text"], button["value"]) == ("Send kudos to Alex", f"req:{request.id}")

    _click_send_kudos(desk, request)
    [opened] = desk.fake.wait_for_call("views.open")
    assert opened.params["trigger_id"].startswith("trigger-action-")
    view = opened.params["view"]
    assert (view["type"], view["callback_id"], view["title"]["text"]) == (
        "modal",
        "kudos_for_request",
        "Kudos to Alex",
    )
    assert json.loads(view["private_metadata"]) == {"request": request.id}
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs["kudos_message"]["action_id"] == "kudos_message"
    assert inputs["kudos_value"]["action_id"] == "kudos_value"
    assert [o["value"] for o in inputs["kudos_value"]["options"]] == [
        "ownership",
        "customer-first",
    ]
    listeners.settle()
    assert kudos_rows(desk) == []

    posts_before = len(desk.fake.calls_to("chat.postMessage"))
    assert kudos_submission(desk, user="U0ALICE", request_id=request.id, message="").status == 200
    [confirmation] = desk.fake.wait_for(lambda _: _confirmations(desk))
    listeners.settle()

    [shoutout] = shoutout_rows(desk)
    assert shoutout.ts is not None
    link = _permalink(shoutout.ts)
    assert (
        shoutout.giver_id,
        shoutout.source,
        shoutout.message,
        shoutout.value,
        shoutout.request_id,
        shoutout.idempotency_key,
        shoutout.permalink,
    ) == ("U0ALICE", "request", "", None, request.id, "view:V0KUDOS1", link)
    [kudos] = kudos_rows(desk)
    assert (
        kudos.giver_id,
        kudos.recipient_id,
        kudos.source,
        kudos.shoutout_id,
        kudos.department_id,
        kudos.given_at,
        kudos.notified_at,
    ) == ("U0ALICE", "U0AGENT1", "request", shoutout.id, request.department_id, START, START)

    post, resolver_dm, confirmed = desk.fake.calls_to("chat.postMessage")[posts_before:]
    assert post.params["channel"] == KUDOS_CHANNEL
    assert post.params["text"] == "Kudos from <@U0ALICE> to <@U0AGENT1>"
    assert post.params["blocks"] == [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": ":clap: <@U0ALICE> thanked <@U0AGENT1>"},
        },
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"For their help with REQ-{request.id}, handled by *IT Help Desk*.",
                }
            ],
        },
    ]
    for call in (post, resolver_dm):
        assert "laptop" not in json.dumps(call.params).lower()
    assert resolver_dm.params["channel"] == "U0AGENT1"
    [thanked] = [b["text"]["text"] for b in resolver_dm.params["blocks"]]
    assert thanked.startswith(":tada: <@U0ALICE> thanked you ")
    assert _links_to(thanked, link)
    assert confirmed is confirmation
    confirmed_text = confirmation.params["text"]
    assert confirmed_text.startswith(":clap: Thanks sent to <@U0AGENT1> ")
    assert _links_to(confirmed_text, link)
    assert confirmed_text.endswith(". You have *4 of 5* kudos left today.")
    [announce] = jobs_of(desk, "kudos.announce")
    assert announce.state == "cancelled"


def test_a_form_submitted_twice_gives_one_shout_out(
    kudos_desk: Desk, listeners: ListenerWork
) -> None:
    desk = kudos_desk
    request, _ = _resolved(desk)
    _click_send_kudos(desk, request)
    desk.fake.wait_for_call("views.open")
    posts_before = len(desk.fake.calls_to("chat.postMessage"))

    for _ in range(2):
        result = kudos_submission(
            desk,
            user="U0ALICE",
            request_id=request.id,
            view_id="V0TWICE",
            message="Back up in ten minutes <!channel> & before the board meeting",
            value="customer-first",
        )
        assert result.status == 200
        desk.fake.wait_for(lambda _: _confirmations(desk))
        listeners.settle()

    [shoutout] = shoutout_rows(desk)
    assert (shoutout.message, shoutout.value, shoutout.idempotency_key) == (
        "Back up in ten minutes <!channel> & before the board meeting",
        "customer-first",
        "view:V0TWICE",
    )
    assert [(k.recipient_id, k.department_id) for k in kudos_rows(desk)] == [
        ("U0AGENT1", request.department_id)
    ]
    [post] = posts_to(desk, KUDOS_CHANNEL)
    assert [b["text"]["text"] for b in post.params["blocks"] if b["type"] == "section"] == [
        ":clap: <@U0ALICE> thanked <@U0AGENT1>",
        ">Back up in ten minutes &lt;!channel&gt; &amp; before the board meeting",
    ]
    assert [
        e["text"] for b in post.params["blocks"] if b["type"] == "context" for e in b["elements"]
    ] == [
        f"For their help with REQ-{request.id}, handled by *IT Help Desk*.",
        ":star: #customer-first",
    ]
    resolver_dms = [c for c in dms_to(desk, "U0AGENT1") if "gave you kudos" in c.params["text"]]
    assert len(resolver_dms) == 1
    # Each delivery is answered, both with the one shout-out.
    first, second = _confirmations(desk)
    assert first.params["text"] == second.params["text"]
    assert [c.params["channel"] for c in desk.fake.calls_to("chat.postMessage")[posts_before:]] == [
        KUDOS_CHANNEL,
        "U0AGENT1",
        "U0ALICE",
        "U0ALICE",
    ]


def test_a_form_delivered_twice_at_once_gives_one_shout_out_and_counts_it_once(
    kudos_desk: Desk, listeners: ListenerWork
) -> None:
    desk = kudos_desk
    request, _ = _resolved(desk)
    listeners.settle()
    # A day on, people's cached profiles are asked again: both deliveries stop there, past
    # the check for an earlier one with their view id, until Slack answers.
    desk.clock.advance(timedelta(days=1, minutes=1))
    calls_before = len(desk.fake.calls_to("users.info"))
    answers_before = len(dms_to(desk, "U0ALICE"))
    release = desk.fake.hold("users.info")
    for _ in range(2):
        result = kudos_submission(desk, user="U0ALICE", request_id=request.id, view_id="V0RACE")
        assert result.status == 200
    desk.fake.wait_for_call("users.info", count=calls_before + 2)
    release.set()
    desk.fake.wait_for(lambda _: len(dms_to(desk, "U0ALICE")) == answers_before + 2)
    listeners.settle()

    assert len(shoutout_rows(desk)) == 1
    assert [k.recipient_id for k in kudos_rows(desk)] == ["U0AGENT1"]
    assert len(posts_to(desk, KUDOS_CHANNEL)) == 1
    # Each delivery is answered (it went out, or is going out), with what is left today.
    answers = [c.params["text"] for c in dms_to(desk, "U0ALICE")[answers_before:]]
    assert [a.split(". ")[-1] for a in answers] == ["You have *4 of 5* kudos left today."] * 2


def test_only_the_requester_may_send_the_requests_kudos(
    kudos_desk: Desk, listeners: ListenerWork
) -> None:
    desk = kudos_desk
    request, _ = _resolved(desk)
    posts_before = len(desk.fake.calls_to("chat.postMessage"))
    refusal = f"Only the person who filed REQ-{request.id} can thank for it."

    replies_before = len(desk.fake.calls_to("response_url"))
    _click_send_kudos(desk, request, user="U0BOB")
    [*_, reply] = desk.fake.wait_for_call("response_url", count=replies_before + 1)
    listeners.settle()
    assert reply.params["response_type"] == "ephemeral"
    assert reply.params["text"] == refusal
    assert desk.fake.calls_to("views.open") == []

    # A submission of the form by anyone else (forged, or a form passed on) is refused too.
    assert kudos_submission(desk, user="U0BOB", request_id=request.id, message="hi").status == 200
    [answer] = desk.fake.wait_for_call("chat.postMessage", count=posts_before + 1)[posts_before:]
    listeners.settle()
    assert answer.params["channel"] == "U0BOB"
    assert answer.params["text"] == refusal

    assert kudos_rows(desk) == []
    assert shoutout_rows(desk) == []
    assert posts_to(desk, KUDOS_CHANNEL) == []
    assert len(desk.fake.calls_to("chat.postMessage")) == posts_before + 1


def test_no_kudos_are_offered_when_the_requester_resolved_their_own_request(
    kudos_desk: Desk, listeners: ListenerWork
) -> None:
    desk = kudos_desk
    request = file_request(desk, "it vpn drops every hour", user="U0AGENT1")
    resolution_dm = resolve(desk, request, agent="U0AGENT1")
    assert resolution_dm.params["channel"] == "U0AGENT1"
    assert action_ids(resolution_dm.params["blocks"]) == ["request_reopen"]

    posts_before = len(desk.fake.calls_to("chat.postMessage"))
    replies_before = len(desk.fake.calls_to("response_url"))
    _click_send_kudos(desk, request, user="U0AGENT1")
    [*_, reply] = desk.fake.wait_for_call("response_url", count=replies_before + 1)
    listeners.settle()
    assert reply.params["text"] == (
        f"Nobody else resolved REQ-{request.id}, so there is no one to thank."
    )
    assert desk.fake.calls_to("views.open") == []
    assert kudos_rows(desk) == []
    assert shoutout_rows(desk) == []
    assert len(desk.fake.calls_to("chat.postMessage")) == posts_before


@pytest.mark.parametrize("score", [1, 2, 3, 4, 5])
def test_the_answered_pulse_offers_kudos_after_a_four_or_five(
    kudos_desk: Desk, listeners: ListenerWork, score: int
) -> None:
    desk = kudos_desk
    request, _ = _resolved(desk)
    desk.clock.advance(DELAY)
    assert run_jobs(desk).done == 1
    [pulse] = pulses(desk)
    assert pulse.state == "sent"

    result = desk.slack.block_action(
        f"satisfaction_rate_{score}", user="U0ALICE", value=f"pulse:{pulse.id}", channel="D0ALICE"
    )
    assert result.status == 200
    [answered] = desk.fake.wait_for_call(
        "chat.update", where=lambda c: c.params.get("channel", "").startswith("D")
    )
    listeners.settle()
    assert f"*{score}/5*" in text_of(answered)
    answered_buttons = ["satisfaction_comment", "satisfaction_change"]
    if score < 4:
        assert action_ids(answered.params["blocks"])[-2:] == answered_buttons
        assert "kudos_send" not in action_ids(answered.params["blocks"])
        assert kudos_rows(desk) == []
        assert posts_to(desk, KUDOS_CHANNEL) == []
        return

    assert action_ids(answered.params["blocks"]) == [*answered_buttons, "kudos_send"]
    button = _kudos_button(answered)
    assert (button["text"]["text"], button["value"]) == ("Send kudos to Alex", f"req:{request.id}")
    _click_send_kudos(desk, request)
    [opened] = desk.fake.wait_for_call("views.open")
    assert opened.params["view"]["callback_id"] == "kudos_for_request"
    submitted = kudos_submission(desk, user="U0ALICE", request_id=request.id, view_id="V0PULSE")
    assert submitted.status == 200
    desk.fake.wait_for(lambda _: _confirmations(desk))
    listeners.settle()
    assert [(k.recipient_id, k.source, k.department_id) for k in kudos_rows(desk)] == [
        ("U0AGENT1", "request", request.department_id)
    ]
    assert len(posts_to(desk, KUDOS_CHANNEL)) == 1
