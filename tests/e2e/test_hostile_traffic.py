"""The HTTP front under hostile traffic: the signature is checked on the raw body before
anything parses it, malformed bodies get a 4xx and one INFO line, and idle connections never
crowd out Slack's."""

from __future__ import annotations

import json
import logging
import socket
import time
from urllib.parse import urlencode, urlsplit

import pytest

from bot.sandbox.sender import sign
from tests.e2e.conftest import Desk
from tests.e2e.helpers import latest_request

DEEP = "[" * 100_000 + "]" * 100_000
MALFORMED = {
    "bad json": (b"{not json", "application/json"),
    "payload is a list": (
        urlencode({"payload": "[1, 2]"}).encode(),
        "application/x-www-form-urlencoded",
    ),
    "payload is not json": (
        urlencode({"payload": "{oops"}).encode(),
        "application/x-www-form-urlencoded",
    ),
    "deeply nested json": (DEEP.encode(), "application/json"),
    "nested payload": (urlencode({"payload": DEEP}).encode(), "application/x-www-form-urlencoded"),
    "invalid utf-8": (b"\xff\xfe\xfa text=\x80", "application/x-www-form-urlencoded"),
    "json that is a string": (b'"just a string"', "application/json"),
}


def _rejections(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "bot.server"]


def _errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_an_unsigned_malformed_body_gets_401_and_one_info_line(
    desk: Desk, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    body, content_type = MALFORMED[case]
    with caplog.at_level(logging.INFO):
        result = desk.slack.post(body, content_type=content_type, signature="v0=" + "0" * 64)

    assert result.status == 401
    assert result.json() == {"error": "invalid request"}
    assert _rejections(caplog) == ["slack.request_rejected"]
    assert _errors(caplog) == []


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_signed_malformed_body_gets_400_and_reaches_no_listener(
    desk: Desk, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    body, content_type = MALFORMED[case]
    with caplog.at_level(logging.INFO):
        result = desk.slack.post(body, content_type=content_type)

    assert result.status == 400
    assert _rejections(caplog) == ["slack.request_rejected"]
    assert _errors(caplog) == []
    desk.pulsedesk.finish_work()
    assert [c.method for c in desk.fake.calls] == []


def test_a_body_signed_for_another_timestamp_is_refused(desk: Desk) -> None:
    body = urlencode(desk.slack.slash_command_fields("it laptop")).encode()
    now = int(time.time())
    result = desk.slack.post(
        body,
        content_type="application/x-www-form-urlencoded",
        timestamp=now,
        signature=sign(desk.slack.signing_secret, str(now - 1), body),
    )
    assert result.status == 401
    assert latest_request(desk) is None


def test_idle_connections_do_not_stop_a_signed_command(desk: Desk) -> None:
    address = urlsplit(desk.url)
    idle = [socket.create_connection((address.hostname, address.port)) for _ in range(500)]
    try:
        # Half of them begin a request and never finish it.
        for connection in idle[::2]:
            connection.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 99\r\n")
        result = desk.slack.slash_command("it my laptop will not boot")
    finally:
        for connection in idle:
            connection.close()

    assert result.status == 200
    desk.fake.wait_for_call("chat.postMessage")
    request = latest_request(desk)
    assert request is not None
    assert request.text == "my laptop will not boot"


def test_url_verification_is_still_answered(desk: Desk) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "t"}).encode()
    result = desk.slack.post(body, content_type="application/json")
    assert result.status == 200
    assert "abc123" in result.body
