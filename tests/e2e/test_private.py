"""Private requests through the real endpoint: whatever happens to one, the only recorded calls
that carry its text go to its requester, or to an agent who asked to View it."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from bot.app import sync_departments_at_start
from bot.departments import parse_config
from models import Request
from tests.e2e.conftest import DEPARTMENTS_TOML, KUDOS_CHANNEL, TEAM_ID, Desk, DeskFactory
from tests.e2e.helpers import (
    get_request,
    intake_settled,
    latest_request,
    resolve,
    run_jobs,
    text_of,
)
from tests.e2e.test_conversation import REQUESTER_DM, _say
from tests.fake_slack import Call

SECRET = "salary-advance-7f3k"
HR_CHANNEL = "C0HR000001"
HR_AGENT = "U0HRAGENT"


def _departments(desk: Desk, content: str) -> None:
    sync_departments_at_start(
        session_factory=desk.session_factory,
        configs=parse_config(Path("departments.toml"), content).departments,
        team_id=TEAM_ID,
        clock=desk.clock,
    )


def _hr_is_private(desk: Desk) -> None:
    keywords = 'keywords = ["payroll", "holiday", "laptop allowance"]'
    _departments(
        desk,
        DEPARTMENTS_TOML.replace(
            keywords,
            f'{keywords}\nprivate = true\nagents = ["{HR_AGENT}"]\n'
            'sla = { first_response = "1h" }',
        ),
    )


def _leaks(desk: Desk, requester: str = "U0ALICE") -> list[tuple[str, str]]:
    """Every recorded call carrying the secret that goes anywhere but to the requester (their
    DM, or the answer to their own command) or to an agent's View."""
    allowed_channels = {requester, "D" + requester[1:]}
    leaks = []
    for call in desk.fake.calls:
        if SECRET not in json.dumps(call.params):
            continue
        to_requester = call.params.get("channel") in allowed_channels and call.method in (
            "chat.postMessage",
            "chat.update",
            "chat.postEphemeral",
        )
        answers_their_command = (
            call.method == "response_url" and call.params.get("response_type") == "ephemeral"
        )
        agents_view = call.method in ("views.open", "views.update") and str(
            call.params["view"].get("title", {}).get("text", "")
        ).startswith("REQ-")
        if not (to_requester or answers_their_command or agents_view):
            leaks.append((call.method, str(call.params.get("channel", ""))))
    return leaks


def _requester_named_in_channels(desk: Desk, requester: str = "U0ALICE") -> list[str]:
    """Posts and updates in channels that say who filed the request."""
    return [
        call.method
        for call in desk.fake.calls
        if call.method in ("chat.postMessage", "chat.update", "chat.postEphemeral")
        and str(call.params.get("channel", "")).startswith("C")
        and requester in json.dumps(call.params)
    ]


def _file_privately(desk: Desk) -> Request:
    assert desk.slack.slash_command(f"hr may I get a {SECRET}?", user="U0ALICE").status == 200
    desk.fake.wait_for(lambda _: (r := latest_request(desk)) is not None and r.card_ts)
    request = latest_request(desk)
    assert request is not None
    return request


def _card(desk: Desk, request: Request) -> Call:
    posts = [
        c
        for c in desk.fake.calls
        if c.method in ("chat.postMessage", "chat.update")
        and c.params.get("channel") == HR_CHANNEL
        and c.params.get("thread_ts") is None
    ]
    return posts[-1]


def test_a_private_departments_card_names_only_the_reference_urgency_status_and_owner(
    desk: Desk,
) -> None:
    _hr_is_private(desk)
    request = _file_privately(desk)

    assert request.private is True
    card = _card(desk, request)
    assert f"REQ-{request.id}" in text_of(card)
    assert "Private request" in text_of(card)
    assert SECRET not in text_of(card)
    assert "<@U0ALICE>" not in text_of(card)
    assert "request_view_private" in text_of(card)
    [confirmation] = desk.fake.wait_for_call("response_url")
    assert SECRET in text_of(confirmation)
    assert _leaks(desk) == []


def test_only_the_departments_agents_may_view_it(desk: Desk) -> None:
    _hr_is_private(desk)
    request = _file_privately(desk)

    desk.slack.block_action(
        "request_view_private", user="U0SOMEONE", value=f"req:{request.id}", channel=HR_CHANNEL
    )
    [refusal] = desk.fake.wait_for_call(
        "response_url", where=lambda c: "only People &amp; Culture's agents" in text_of(c)
    )
    assert refusal.params["response_type"] == "ephemeral"
    assert desk.fake.calls_to("views.open") == []

    desk.slack.block_action(
        "request_view_private", user=HR_AGENT, value=f"req:{request.id}", channel=HR_CHANNEL
    )
    [view] = desk.fake.wait_for_call("views.open")
    assert SECRET in json.dumps(view.params["view"])


def test_ticking_sensitive_makes_any_departments_request_private(desk: Desk) -> None:
    sensitive = {
        "request_sensitive": {
            "type": "checkboxes",
            "selected_options": [{"value": "sensitive", "text": {"type": "plain_text"}}],
        }
    }
    result = desk.slack.view_submission(
        description=f"about my {SECRET}",
        private_metadata=json.dumps({"channel": "C0GENERAL", "form": ""}),
        more_values={"sensitive": sensitive},
    )
    assert result.status == 200
    desk.fake.wait_for(lambda _: (r := latest_request(desk)) is not None and r.card_ts)
    request = latest_request(desk)
    assert request is not None

    assert request.private is True
    assert SECRET not in text_of(_card_in(desk, "C0IT000001"))
    assert _leaks(desk) == []


def _card_in(desk: Desk, channel: str) -> Call:
    return [c for c in desk.fake.calls_to("chat.postMessage") if c.params["channel"] == channel][-1]


def test_a_private_request_never_leaks_through_its_whole_life(desk: Desk) -> None:
    _hr_is_private(desk)
    request = _file_privately(desk)
    assert request.card_ts is not None

    # Reminders and the escalation go to the card's thread and the leads.
    desk.clock.advance(timedelta(hours=2))
    run_jobs(desk)
    # An agent replies; the requester answers in their thread, with the secret again.
    _say(desk, HR_AGENT, HR_CHANNEL, "Which month?", thread_ts=request.card_ts)
    desk.fake.wait_for(lambda _: get_request(desk, request.id).conversation_ts)
    thread = get_request(desk, request.id).conversation_ts
    assert thread is not None
    _say(
        desk,
        "U0ALICE",
        REQUESTER_DM,
        f"March, for the {SECRET}",
        thread_ts=thread,
        channel_type="im",
    )
    intake_settled(desk)
    in_thread = [
        c
        for c in desk.fake.calls_to("chat.postMessage")
        if c.params.get("channel") == HR_CHANNEL and c.params.get("thread_ts") == request.card_ts
    ]
    assert any("The requester replied" in text_of(c) for c in in_thread)
    # Resolved, rated, thanked.
    resolve(desk, get_request(desk, request.id), agent=HR_AGENT)
    desk.clock.advance(timedelta(hours=1))
    run_jobs(desk)

    assert _leaks(desk) == []
    assert _requester_named_in_channels(desk) == []
    # What the requester wrote back is for the agents' View.
    desk.slack.block_action(
        "request_view_private", user=HR_AGENT, value=f"req:{request.id}", channel=HR_CHANNEL
    )
    [opened] = desk.fake.wait_for_call("views.open")
    assert SECRET in json.dumps(opened.params["view"])
    [view] = desk.fake.wait_for_call("views.update")
    assert f"March, for the {SECRET}" in json.dumps(view.params["view"])


def test_a_private_request_offers_no_public_thanks(desk_with: DeskFactory) -> None:
    desk = desk_with(kudos_channel=KUDOS_CHANNEL)
    _hr_is_private(desk)
    request = _file_privately(desk)

    dm = resolve(desk, request, agent=HR_AGENT)

    assert "kudos_send" not in json.dumps(dm.params["blocks"])
    desk.slack.block_action("kudos_send", user="U0ALICE", value=f"req:{request.id}")
    [refusal] = desk.fake.wait_for_call("response_url", where=lambda c: "is private" in text_of(c))
    assert refusal.params["response_type"] == "ephemeral"
    assert desk.fake.calls_to("views.open") == []
    assert _requester_named_in_channels(desk) == []
