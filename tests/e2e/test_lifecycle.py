"""Claim, unclaim, reassign, resolve, reopen and cancel through the real endpoint."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.requests import store
from bot.requests.flows.notices import notify_key
from models import Job, RequestEvent
from tests.e2e.conftest import Desk
from tests.e2e.helpers import (
    action_ids,
    dms_to,
    events,
    file_request,
    get_request,
    intake_settled,
    run_jobs,
    text_of,
)


def _value(request_id: int) -> str:
    return f"req:{request_id}"


def _card_updates(desk: Desk, count: int = 1) -> list:
    return desk.fake.wait_for_call("chat.update", count=count)


def test_claim_updates_card_and_tells_requester(desk: Desk) -> None:
    request = file_request(desk)

    result = desk.slack.block_action("request_claim", user="U0AGENT1", value=_value(request.id))

    assert result.status == 200
    [update] = _card_updates(desk)
    assert update.params["channel"] == request.card_channel_id
    assert update.params["ts"] == request.card_ts
    assert "Claimed" in text_of(update)
    assert "<@U0AGENT1>" in text_of(update)
    assert action_ids(update.params["blocks"]) == [
        "request_resolve",
        "request_unclaim",
        "request_wait",
        "request_reassign",
    ]
    [dm] = desk.fake.wait_for_call(
        "chat.postMessage", where=lambda c: c.params["channel"] == "U0ALICE"
    )
    assert "<@U0AGENT1> picked up REQ-" in dm.params["text"]
    stored = get_request(desk, request.id)
    assert (stored.status, stored.assignee_id) == ("claimed", "U0AGENT1")
    assert stored.first_response_at == desk.clock.now()
    assert events(desk, request.id) == [
        ("file", None, "open", "U0ALICE"),
        ("claim", "open", "claimed", "U0AGENT1"),
    ]


def test_the_dms_of_a_change_go_out_once_however_often_they_are_asked_for(desk: Desk) -> None:
    request = file_request(desk)
    desk.slack.block_action("request_claim", user="U0AGENT1", value=_value(request.id))
    desk.fake.wait_for_call("chat.postMessage", where=lambda c: c.params["channel"] == "U0ALICE")
    intake_settled(desk)
    with desk.session_factory() as session:
        event_id = session.scalars(
            select(RequestEvent.id).where(RequestEvent.action == "claim")
        ).one()
        job = session.scalars(select(Job).where(Job.unique_key == notify_key(event_id))).one()
        follow_up = {k: v for k, v in job.payload.items() if k != "request_id"}
        after = store.get_request(session=session, team_id="T0TEST", request_id=request.id)
    assert job.state == "done"

    # The click's work asks again (as if slow enough for its job to have sent them), and
    # the job's time comes: neither sends them a second time.
    desk.pulsedesk.desk.notices.notify(after, follow_up)
    desk.clock.advance(timedelta(minutes=10))
    run_jobs(desk)
    assert len(dms_to(desk, "U0ALICE")) == 1


def test_resolve_sends_requester_a_reopen_button_and_reopen_works(desk: Desk) -> None:
    request = file_request(desk)
    desk.slack.block_action("request_claim", user="U0AGENT1", value=_value(request.id))
    _card_updates(desk)
    desk.slack.block_action("request_resolve", user="U0AGENT1", value=_value(request.id))
    [_, resolved_card] = _card_updates(desk, 2)
    assert "Resolved" in text_of(resolved_card)
    assert action_ids(resolved_card.params["blocks"]) == []

    resolved_dm = desk.fake.wait_for(
        lambda calls: [c for c in calls if "resolved REQ-" in c.params.get("text", "")]
    )[0]
    assert resolved_dm.params["channel"] == "U0ALICE"
    assert action_ids(resolved_dm.params["blocks"]) == ["request_reopen"]
    assert get_request(desk, request.id).resolved_at is not None

    desk.slack.block_action("request_reopen", user="U0ALICE", value=_value(request.id))
    [replaced] = desk.fake.wait_for_call(
        "response_url", where=lambda c: "reopened" in c.params.get("text", "")
    )
    assert replaced.params["replace_original"] is True
    [*_, reopened_card] = _card_updates(desk, 3)
    assert "Open" in text_of(reopened_card)
    assert "request_claim" in action_ids(reopened_card.params["blocks"])
    desk.fake.wait_for_call(
        "chat.postMessage",
        where=lambda c: c.params["channel"] == "U0AGENT1" and "reopened" in c.params["text"],
    )
    stored = get_request(desk, request.id)
    assert (stored.status, stored.resolved_at, stored.assignee_id) == ("open", None, None)
    assert [e[0] for e in events(desk, request.id)] == ["file", "claim", "resolve", "reopen"]


def test_unclaim_and_reassign(desk: Desk) -> None:
    request = file_request(desk)
    card_block = f"card_actions:{request.id}"

    desk.slack.block_action(
        "request_reassign", user="U0AGENT1", block_id=card_block, selected_user="U0AGENT2"
    )
    [assigned] = _card_updates(desk)
    assert "<@U0AGENT2>" in text_of(assigned)
    desk.fake.wait_for_call(
        "chat.postMessage",
        where=lambda c: c.params["channel"] == "U0AGENT2" and "assigned you" in c.params["text"],
    )
    assert get_request(desk, request.id).assignee_id == "U0AGENT2"

    desk.slack.block_action("request_unclaim", user="U0AGENT2", value=_value(request.id))
    _card_updates(desk, 2)
    desk.fake.wait_for_call(
        "chat.postMessage",
        where=lambda c: c.params["channel"] == "U0ALICE" and "back in" in c.params["text"],
    )
    stored = get_request(desk, request.id)
    assert (stored.status, stored.assignee_id) == ("open", None)
    assert [e[0] for e in events(desk, request.id)] == ["file", "reassign", "unclaim"]


def test_requester_cancels_from_confirmation(desk: Desk) -> None:
    request = file_request(desk)
    desk.slack.block_action("request_cancel", user="U0ALICE", value=_value(request.id))
    desk.fake.wait_for_call("response_url", where=lambda c: "cancelled" in c.params.get("text", ""))
    [card] = _card_updates(desk)
    assert "Cancelled" in text_of(card)
    assert get_request(desk, request.id).status == "cancelled"


def test_non_agent_cannot_claim_and_nothing_changes(desk: Desk) -> None:
    request = file_request(desk)
    result = desk.slack.block_action("request_claim", user="U0MALLORY", value=_value(request.id))
    # A refusal is still a prompt 200: Slack shows nothing and the explanation follows.
    assert result.status == 200
    [reply] = desk.fake.wait_for_call(
        "response_url", where=lambda c: "only the department" in c.params.get("text", "")
    )
    assert reply.params["response_type"] == "ephemeral"
    assert reply.params["replace_original"] is False
    assert get_request(desk, request.id).status == "open"
    assert desk.fake.calls_to("chat.update") == []
    assert [e[0] for e in events(desk, request.id)] == ["file"]


def test_channel_members_are_agents_when_no_agent_list(desk: Desk) -> None:
    request = file_request(desk, "hr payroll question")
    desk.slack.block_action("request_claim", user="U0OUTSIDER", value=_value(request.id))
    desk.fake.wait_for_call("response_url", where=lambda c: "only" in c.params.get("text", ""))
    assert get_request(desk, request.id).status == "open"

    desk.slack.block_action("request_claim", user="U0HRAGENT", value=_value(request.id))
    _card_updates(desk)
    assert get_request(desk, request.id).assignee_id == "U0HRAGENT"


def test_only_requester_can_cancel_or_reopen(desk: Desk) -> None:
    request = file_request(desk)
    desk.slack.block_action("request_cancel", user="U0AGENT1", value=_value(request.id))
    desk.fake.wait_for_call(
        "response_url", where=lambda c: "only the person who filed" in c.params.get("text", "")
    )
    assert get_request(desk, request.id).status == "open"


def test_resolved_request_cannot_be_claimed(desk: Desk) -> None:
    request = file_request(desk)
    desk.slack.block_action("request_resolve", user="U0AGENT1", value=_value(request.id))
    _card_updates(desk)
    desk.slack.block_action("request_claim", user="U0AGENT2", value=_value(request.id))
    desk.fake.wait_for_call(
        "response_url", where=lambda c: "already resolved" in c.params.get("text", "")
    )
    assert get_request(desk, request.id).status == "resolved"


def test_simultaneous_claims_have_exactly_one_winner(desk: Desk) -> None:
    request = file_request(desk, "hr payroll is wrong")
    # Both clicks read the request as open, then wait on the membership check together,
    # so both attempt the conditional update on the same version.
    release = desk.fake.hold("conversations.members")
    for agent in ("U0HRAGENT", "U0HRLEAD"):
        assert (
            desk.slack.block_action("request_claim", user=agent, value=_value(request.id)).status
            == 200
        )
    desk.fake.wait_for_call("conversations.members", count=2)
    release.set()

    [loser_reply] = desk.fake.wait_for_call(
        "response_url", where=lambda c: "already claimed by" in c.params.get("text", "")
    )
    desk.pulsedesk.finish_work()
    stored = get_request(desk, request.id)
    assert stored.status == "claimed"
    assert stored.assignee_id in ("U0HRAGENT", "U0HRLEAD")
    assert f"<@{stored.assignee_id}>" in loser_reply.params["text"]
    claims = [e for e in events(desk, request.id) if e[0] == "claim"]
    assert len(claims) == 1
    assert claims[0][3] == stored.assignee_id
    claimed_dms = [c for c in dms_to(desk, "U0ALICE") if "picked up" in c.params["text"]]
    assert len(claimed_dms) == 1
    assert len(desk.fake.calls_to("chat.update")) == 1


def test_reassign_only_to_an_agent(desk: Desk) -> None:
    request = file_request(desk)
    desk.slack.block_action(
        "request_reassign",
        user="U0AGENT1",
        block_id=f"card_actions:{request.id}",
        selected_user="U0ALICE",
    )
    desk.fake.wait_for_call(
        "response_url", where=lambda c: "is not one of IT Help Desk" in c.params.get("text", "")
    )
    desk.pulsedesk.finish_work()
    stored = get_request(desk, request.id)
    assert (stored.status, stored.assignee_id) == ("open", None)


def test_a_click_run_twice_changes_the_request_once_and_tells_once(desk: Desk) -> None:
    """What a process that died after the change but before its job was done would do."""
    request = file_request(desk)
    # The filing's own confirmation may still be on its way once the card is up.
    intake_settled(desk)
    replies = len(desk.fake.calls_to("response_url"))
    for _ in range(2):
        assert (
            desk.slack.block_action(
                "request_claim",
                user="U0AGENT1",
                value=f"req:{request.id}",
                trigger_id="trigger-the-same-click",
            ).status
            == 200
        )
    intake_settled(desk)

    assert events(desk, request.id) == [
        ("file", None, "open", "U0ALICE"),
        ("claim", "open", "claimed", "U0AGENT1"),
    ]
    assert len([d for d in dms_to(desk, "U0ALICE") if "picked up" in d.params["text"]]) == 1
    assert len(desk.fake.calls_to("response_url")) == replies
