"""Input a client should never send, sent anyway: ids too large for any column, and control
characters in what people type. Each gets a clear answer; nothing typed is lost."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import select

from models import Request, Shoutout
from tests.e2e.conftest import KUDOS_CHANNEL, Desk, DeskFactory
from tests.e2e.helpers import file_request, give_kudos, latest_request, text_of

HUGE = "99999999999999999999"


def _errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    ("action_id", "value"),
    [
        ("request_claim", f"req:{HUGE}"),
        ("request_cancel", f"req:{HUGE}"),
        ("satisfaction_rate_4", f"pulse:{HUGE}"),
        ("weekly_answer_3", f"weekly:{HUGE}:0"),
        ("weekly_answer_3", f"weekly:1:{HUGE}"),
        ("weekly_comment", f"weekly:{HUGE}"),
        ("kudos_send", f"req:{'9' * 5000}"),
    ],
)
def test_an_id_too_large_for_any_row_is_not_found(
    desk: Desk, caplog: pytest.LogCaptureFixture, action_id: str, value: str
) -> None:
    with caplog.at_level(logging.INFO):
        result = desk.slack.block_action(action_id, user="U0AGENT1", value=value)
        [reply] = desk.fake.wait_for_call("response_url")

    assert result.status == 200
    assert "no longer points at" in text_of(reply)
    assert _errors(caplog) == []


def test_a_form_whose_metadata_id_is_too_large_is_not_found(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        desk.slack.view_submission(
            callback_id="kudos_for_request",
            private_metadata=json.dumps({"request": int(HUGE)}),
        )
        [dm] = desk.fake.wait_for_call("chat.postMessage")
    assert "no longer points at a request" in text_of(dm)
    assert _errors(caplog) == []


CONTROL = "my\x00 laptop\x07 will\x1b[31m not\r boot\x7f\ttoday\nplease"
CLEANED = "my laptop will[31m not boot\ttoday\nplease"


def test_control_characters_in_a_request_are_dropped_and_the_text_kept(desk: Desk) -> None:
    request = file_request(desk, f"it {CONTROL}")
    assert request.text == CLEANED


def test_control_characters_in_the_form_are_dropped_and_the_text_kept(desk: Desk) -> None:
    assert desk.slack.view_submission(description=CONTROL).status == 200
    desk.fake.wait_for(lambda _: latest_request(desk) is not None)
    request = latest_request(desk)
    assert request is not None
    assert request.text == CLEANED


def test_control_characters_in_kudos_are_dropped_and_the_thanks_kept(
    desk_with: DeskFactory,
) -> None:
    desk = desk_with(kudos_channel=KUDOS_CHANNEL)
    give_kudos(desk, "<@U0ALEX> thanks\x00 for the\x1b help", user="U0BEA")
    with desk.session_factory() as session:
        [message] = session.scalars(select(Shoutout.message)).all()
        assert session.scalars(select(Request)).all() == []
    assert message == "thanks for the help"
