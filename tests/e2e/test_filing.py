from __future__ import annotations

import json

from sqlalchemy import func, select

from models import Request, RequestEvent
from tests.e2e.conftest import Desk


def _requests(desk: Desk) -> list[Request]:
    with desk.session_factory() as session:
        return list(session.scalars(select(Request).order_by(Request.id)))


def test_request_with_department_key_posts_card_and_confirms(desk: Desk) -> None:
    result = desk.slack.slash_command("it My laptop will not boot", user="U0ALICE")

    assert result.status == 200
    [card] = desk.fake.wait_for_call("chat.postMessage")
    assert card.params["channel"] == "C0IT000001"
    blocks_text = json.dumps(card.params["blocks"])
    assert "REQ-1" in blocks_text
    assert "My laptop will not boot" in blocks_text
    assert "<@U0ALICE>" in blocks_text
    assert "request_claim" in blocks_text

    [reply] = desk.fake.wait_for_call("response_url")
    assert reply.params["response_type"] == "ephemeral"
    assert "REQ-1" in reply.params["text"]

    [request] = _requests(desk)
    assert request.status == "open"
    assert request.requester_id == "U0ALICE"
    assert request.team_id == "T0TEST"
    assert request.department.key == "it"
    assert request.card_channel_id == "C0IT000001"
    assert request.card_ts is not None


def test_free_text_is_routed_by_keywords(desk: Desk) -> None:
    desk.slack.slash_command("my PAYROLL slip is wrong")
    [card] = desk.fake.wait_for_call("chat.postMessage")
    assert card.params["channel"] == "C0HR000001"


def test_repeated_command_delivery_files_once(desk: Desk) -> None:
    fields = desk.slack.slash_command_fields("it vpn is down", trigger_id="trigger-dup")
    first = desk.slack.post_form(fields)
    second = desk.slack.post_form(fields, headers={"X-Slack-Retry-Num": "1"})
    assert (first.status, second.status) == (200, 200)
    desk.fake.wait_for_call("response_url", count=2)
    assert len(_requests(desk)) == 1
    assert len(desk.fake.calls_to("chat.postMessage")) == 1
    with desk.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(RequestEvent)) == 1
