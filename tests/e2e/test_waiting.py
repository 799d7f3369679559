"""Waiting on the requester through the real endpoint: an agent asks, the service levels' clock
stops, the requester's reply starts it again; a department nudges once and closes what is left
unanswered, and the requester may reopen it."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from models import Job, Request
from tests.e2e.conftest import TEAM_ID, Desk
from tests.e2e.helpers import (
    dms_to,
    file_request,
    get_request,
    intake_settled,
    intake_settled_or_waiting,
    run_jobs,
    text_of,
)
from tests.e2e.test_conversation import (
    CARD_CHANNEL,
    REQUESTER_DM,
    _posts_in,
    _say,
)
from tests.e2e.test_service_levels import TARGETS, _escalations, _it_promises
from tests.fake_slack import Call, ScriptedFailure


def _submit_wait(
    desk: Desk, request: Request, question: str | None, *, user: str = "U0AGENT1", view: str = "V0W"
) -> None:
    payload: dict[str, Any] = {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM_ID},
        "api_app_id": "A0PULSE",
        "trigger_id": f"trigger-{view}",
        "view": {
            "id": view,
            "type": "modal",
            "callback_id": "request_wait_on_requester",
            "private_metadata": json.dumps({"request_id": request.id}),
            "state": {
                "values": {
                    "wait_question": {
                        "request_wait_question": {"type": "plain_text_input", "value": question}
                    }
                }
            },
        },
        "response_urls": [],
    }
    assert desk.slack.post_form({"payload": json.dumps(payload)}).status == 200


def _waits(desk: Desk, request: Request, question: str | None = "Which office are you in?") -> None:
    _submit_wait(desk, request, question)
    desk.fake.wait_for(lambda _: get_request(desk, request.id).status == "waiting")
    intake_settled(desk)


def _requester_thread(desk: Desk, request: Request) -> list[Call]:
    thread = get_request(desk, request.id).conversation_ts
    return _posts_in(desk, "U0ALICE", thread) if thread else []


def _pending_jobs(desk: Desk, request: Request) -> set[str]:
    with desk.session_factory() as session:
        return set(
            session.scalars(
                select(Job.unique_key).where(
                    Job.state == "pending", Job.payload["request_id"].as_integer() == request.id
                )
            )
        )


def test_the_wait_button_opens_the_form_for_agents_only(desk: Desk) -> None:
    request = file_request(desk, "it the vpn drops")

    desk.slack.block_action("request_wait", user="U0AGENT1", value=f"req:{request.id}")
    [opened] = desk.fake.wait_for_call("views.open")
    assert opened.params["view"]["callback_id"] == "request_wait_on_requester"

    desk.slack.block_action("request_wait", user="U0SOMEONE", value=f"req:{request.id}")
    [refusal] = desk.fake.wait_for_call(
        "response_url", where=lambda c: "only the department's agents" in text_of(c)
    )
    assert refusal.params["response_type"] == "ephemeral"
    assert len(desk.fake.calls_to("views.open")) == 1


def test_a_question_reaches_both_threads_and_stops_the_clock(desk: Desk) -> None:
    _it_promises(desk, TARGETS)
    request = file_request(desk, "it the vpn drops")
    desk.clock.advance(timedelta(minutes=20))

    _waits(desk, request, "Which office are you in? <!channel>")

    waiting = get_request(desk, request.id)
    assert (waiting.waiting_since, waiting.first_response_at) == (desk.clock.now(),) * 2
    [for_desk] = _posts_in(desk, CARD_CHANNEL, request.card_ts)
    assert "is waiting on <@U0ALICE>" in text_of(for_desk)
    [for_requester] = desk.fake.wait_for(lambda _: _requester_thread(desk, request))
    assert "Which office are you in?" in text_of(for_requester)
    assert "<!channel>" not in text_of(for_requester)
    # The resolution is not chased while the clock stands still.
    assert not [key for key in _pending_jobs(desk, request) if key.startswith("sla.")]
    card = desk.fake.calls_to("chat.update")[-1]
    assert "Waiting on requester" in text_of(card)
    assert "paused while waiting" in text_of(card)


def test_the_requesters_reply_ends_the_wait_and_moves_the_due_time_on(desk: Desk) -> None:
    _it_promises(desk, TARGETS)
    request = file_request(desk, "it the vpn drops")
    due = get_request(desk, request.id).resolution_due_at
    assert due is not None
    desk.slack.block_action("request_claim", user="U0AGENT1", value=f"req:{request.id}")
    desk.fake.wait_for(lambda _: get_request(desk, request.id).status == "claimed")
    _waits(desk, request)
    thread = get_request(desk, request.id).conversation_ts
    assert thread is not None

    desk.clock.advance(timedelta(hours=5))
    _say(desk, "U0ALICE", REQUESTER_DM, "Berlin", thread_ts=thread, channel_type="im")

    desk.fake.wait_for(lambda _: get_request(desk, request.id).status == "claimed")
    resumed = get_request(desk, request.id)
    assert (resumed.assignee_id, resumed.waiting_since) == ("U0AGENT1", None)
    assert resumed.resolution_due_at == due + timedelta(hours=5)
    assert resumed.paused_seconds == 5 * 3600
    intake_settled(desk)
    generation = f"sla.escalate:{request.id}:resolution:{resumed.version}"
    assert generation in _pending_jobs(desk, request)
    assert any("Berlin" in text_of(c) for c in _posts_in(desk, CARD_CHANNEL, request.card_ts))


def test_an_overdue_request_that_waited_is_not_escalated_again(desk: Desk) -> None:
    _it_promises(desk, TARGETS)
    request = file_request(desk, "it the vpn drops")
    desk.slack.block_action("request_claim", user="U0AGENT1", value=f"req:{request.id}")
    desk.fake.wait_for(lambda _: get_request(desk, request.id).status == "claimed")
    desk.clock.advance(timedelta(days=2))
    run_jobs(desk)
    assert len(_escalations(desk, "U0ITLEAD")) == 1

    # Past its due time when the wait began, it stays missed; chased again after the wait, the
    # escalation that went out is found, not sent again.
    _waits(desk, request)
    desk.clock.advance(timedelta(hours=1))
    desk.slack.block_action("request_stop_waiting", user="U0AGENT1", value=f"req:{request.id}")
    desk.fake.wait_for(lambda _: get_request(desk, request.id).status == "claimed")
    run_jobs(desk)
    desk.clock.advance(timedelta(hours=1))
    run_jobs(desk)
    assert len(_escalations(desk, "U0ITLEAD")) == 1
    overdue = [
        c for c in _posts_in(desk, CARD_CHANNEL, request.card_ts) if "is overdue" in text_of(c)
    ]
    assert len(overdue) == 1


def test_an_agent_may_stop_waiting(desk: Desk) -> None:
    request = file_request(desk, "it the vpn drops")
    _waits(desk, request, None)

    desk.slack.block_action("request_stop_waiting", user="U0AGENT1", value=f"req:{request.id}")

    desk.fake.wait_for(lambda _: get_request(desk, request.id).status == "open")


def test_the_same_form_submitted_twice_waits_and_asks_once(desk: Desk) -> None:
    request = file_request(desk, "it the vpn drops")
    _waits(desk, request)

    _submit_wait(desk, request, "Which office are you in?")
    intake_settled(desk)

    assert len(_posts_in(desk, CARD_CHANNEL, request.card_ts)) == 1
    assert len(_requester_thread(desk, request)) == 1


def test_a_request_left_unanswered_is_nudged_once_then_closed_and_may_be_reopened(
    desk: Desk,
) -> None:
    _it_promises(desk, 'stale_after = "3d"', 'auto_close_after = "7d"')
    request = file_request(desk, "it the vpn drops")
    _waits(desk, request)

    desk.clock.advance(timedelta(days=3) - timedelta(minutes=1))
    run_jobs(desk)
    assert len(_requester_thread(desk, request)) == 1
    desk.clock.advance(timedelta(minutes=1))
    run_jobs(desk)
    [_, nudge] = _requester_thread(desk, request)
    assert "still waiting for your reply" in text_of(nudge)
    assert "it will be closed" in text_of(nudge)
    desk.clock.advance(timedelta(days=1))
    run_jobs(desk)
    assert len(_requester_thread(desk, request)) == 2

    desk.clock.advance(timedelta(days=3))
    run_jobs(desk)
    closed = get_request(desk, request.id)
    assert (closed.status, closed.closed_by_id) == ("resolved", "pulsedesk")
    [dm] = desk.fake.wait_for(
        lambda _: [c for c in dms_to(desk, "U0ALICE") if "did not hear back" in text_of(c)]
    )
    assert "Closed for no reply" in text_of(desk.fake.calls_to("chat.update")[-1])
    # No satisfaction pulse for a request nobody resolved.
    run_jobs(desk)
    assert not [c for c in dms_to(desk, "U0ALICE") if "How satisfied" in text_of(c)]

    desk.slack.block_action(
        "request_reopen", user="U0ALICE", value=f"req:{request.id}", channel=REQUESTER_DM
    )
    desk.fake.wait_for(lambda _: get_request(desk, request.id).status == "open")
    assert dm.params["channel"] == "U0ALICE"


def test_a_reply_before_the_nudge_cancels_the_nudge_and_the_closing(desk: Desk) -> None:
    _it_promises(desk, 'stale_after = "3d"', 'auto_close_after = "7d"')
    request = file_request(desk, "it the vpn drops")
    _waits(desk, request)
    assert {key.split(":")[0] for key in _pending_jobs(desk, request)} >= {
        "request.nudge",
        "request.close_unanswered",
    }
    thread = get_request(desk, request.id).conversation_ts
    assert thread is not None

    _say(desk, "U0ALICE", REQUESTER_DM, "here you go", thread_ts=thread, channel_type="im")
    desk.fake.wait_for(lambda _: get_request(desk, request.id).status == "open")
    intake_settled(desk)

    assert not [k for k in _pending_jobs(desk, request) if k.startswith("request.")]
    desk.clock.advance(timedelta(days=10))
    run_jobs(desk)
    assert get_request(desk, request.id).status == "open"
    assert len(_requester_thread(desk, request)) == 1


def test_ending_a_wait_sends_no_escalation_or_reminder_a_second_time(desk: Desk) -> None:
    _it_promises(desk, TARGETS)
    request = file_request(desk, "it the vpn drops")
    # Past the first response's reminder and due time: reminded and escalated once.
    desk.clock.advance(timedelta(hours=3))
    run_jobs(desk)
    leads_told = len([c for c in dms_to(desk, "U0ITLEAD") if "is overdue" in text_of(c)])
    assert leads_told == 1
    notes = len(_posts_in(desk, CARD_CHANNEL, request.card_ts))

    _waits(desk, request)
    desk.slack.block_action("request_stop_waiting", user="U0AGENT1", value=f"req:{request.id}")
    desk.fake.wait_for(lambda _: get_request(desk, request.id).status == "open")
    desk.clock.advance(timedelta(minutes=5))
    run_jobs(desk)

    assert len([c for c in dms_to(desk, "U0ITLEAD") if "is overdue" in text_of(c)]) == 1
    # Only the question was added to the card's thread.
    assert len(_posts_in(desk, CARD_CHANNEL, request.card_ts)) == notes + 1


def test_a_question_slack_refused_is_asked_when_it_is_tried_again(desk: Desk) -> None:
    request = file_request(desk, "it the vpn drops")
    desk.fake.fail_where(
        "chat.postMessage",
        lambda params: params.get("channel") == "U0ALICE" and bool(params.get("thread_ts")),
        *[ScriptedFailure(500)] * 3,
    )

    _submit_wait(desk, request, "Which office?")
    desk.fake.wait_for(lambda _: get_request(desk, request.id).status == "waiting")
    intake_settled_or_waiting(desk)
    assert _asked(desk, request) == []

    desk.clock.advance(timedelta(minutes=2))
    # The form's own job is due again: a tick runs it, as `serve` would.
    desk.pulsedesk.services.ticker.tick()
    assert len(_asked(desk, request)) == 1
    assert "Which office?" in json.dumps(_asked(desk, request)[0]["blocks"])
    assert len(_posts_in(desk, CARD_CHANNEL, request.card_ts)) == 1


def _asked(desk: Desk, request: Request) -> list[dict[str, Any]]:
    """The messages that reached the requester's thread of the request."""
    thread_ts = get_request(desk, request.id).conversation_ts
    if thread_ts is None:
        return []
    thread = desk.fake.workspace.thread(REQUESTER_DM, thread_ts)
    return (thread or [])[1:]
