"""The sandbox as its page uses it, over HTTP: the bot, unmodified, files, claims, resolves,
rates, pulses and thanks through the sandbox's Slack, and the sandbox keeps what happened."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox import people
from bot.sandbox.run import RunningSandbox, start_sandbox
from bot.settings import Settings
from tests.waiting import wait_until

REQUESTER, AGENT = people.REQUESTER.id, people.AGENT.id
IT_CHANNEL = people.departments()[0]["channel"]
DM = "D" + REQUESTER[1:]


class Page:
    """What the sandbox's page sends and reads."""

    def __init__(self, url: str) -> None:
        self.url = url

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        request = urllib.request.Request(
            self.url + path.lstrip("/"), data=data, headers=all_headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def do(self, what: str, **body: Any) -> Any:
        status, answer = self.request("POST", f"sandbox/api/{what}", body)
        assert status == 200, answer
        return answer

    def messages(self, channel: str, user: str) -> list[dict[str, Any]]:
        status, answer = self.request("GET", f"sandbox/api/messages?channel={channel}&user={user}")
        assert status == 200
        return list(answer["messages"])

    def texts(self, channel: str, user: str) -> list[str]:
        return [m["text"] for m in self.messages(channel, user)]

    def wait_for_text(self, channel: str, user: str, fragment: str) -> dict[str, Any]:
        """The latest message that shows `fragment` to `user`, in its text or its blocks."""
        found: list[dict[str, Any]] = []

        def shows(message: dict[str, Any]) -> bool:
            return fragment in message["text"] or fragment in json.dumps(message["blocks"])

        def seen() -> bool:
            found[:] = [m for m in self.messages(channel, user) if shows(m)]
            return bool(found)

        wait_until(seen)
        return found[-1]


def _start(folder: Path) -> RunningSandbox:
    settings = Settings(_env_file=None, sandbox_dir=folder)
    return start_sandbox(settings, port=0, tick_seconds=0)


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningSandbox]:
    sandbox = _start(tmp_path / "sandbox")
    yield sandbox
    sandbox.close()


@pytest.fixture
def page(running: RunningSandbox) -> Page:
    return Page(running.url)


def _button(message: dict[str, Any], action_id: str) -> dict[str, Any]:
    for block in message.get("blocks") or []:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return {**element, "block_id": block.get("block_id", "b")}
    raise AssertionError(f"no {action_id} in {message['text']!r}")


def _click(page: Page, user: str, channel: str, message: dict[str, Any], action_id: str) -> None:
    button = _button(message, action_id)
    action = {
        "type": "button",
        "action_id": action_id,
        "block_id": button["block_id"],
        "value": button.get("value", ""),
    }
    page.do(
        "action",
        user=user,
        container={"type": "message", "channel": channel, "ts": message["ts"]},
        action=action,
    )


def _file(page: Page, text: str) -> dict[str, Any]:
    page.do("send", user=REQUESTER, channel=DM, text=f"/request it {text}")
    return page.wait_for_text(IT_CHANNEL, AGENT, text)


def test_a_request_is_filed_claimed_resolved_and_rated(page: Page) -> None:
    card = _file(page, "my laptop will not boot")
    confirmation = page.wait_for_text(DM, REQUESTER, "Filed")
    assert confirmation["ephemeral"] is True
    # Only the requester sees the confirmation.
    assert not [m for m in page.messages(DM, AGENT) if m.get("ephemeral")]

    _click(page, AGENT, IT_CHANNEL, card, "request_claim")
    page.wait_for_text(DM, REQUESTER, "picked up")
    card = page.wait_for_text(IT_CHANNEL, AGENT, "[claimed]")

    _click(page, AGENT, IT_CHANNEL, card, "request_resolve")
    resolved = page.wait_for_text(DM, REQUESTER, "resolved")
    page.do("react", user=REQUESTER, channel=DM, ts=resolved["ts"], name="star-struck")
    page.wait_for_text(IT_CHANNEL, AGENT, "Rated *5/5*")


def test_the_clock_brings_the_satisfaction_pulse_and_the_weekly_pulse(page: Page) -> None:
    card = _file(page, "the vpn drops every hour")
    _click(page, AGENT, IT_CHANNEL, card, "request_claim")
    card = page.wait_for_text(IT_CHANNEL, AGENT, "[claimed]")
    _click(page, AGENT, IT_CHANNEL, card, "request_resolve")
    page.wait_for_text(DM, REQUESTER, "resolved")

    # Hour by hour, past the pulse's delay and into the requester's working hours, which
    # begin within four days of any moment (a weekend included).
    for _ in range(4 * 24):
        page.do("clock", user=REQUESTER, advance="hour")
        if any("How satisfied" in text for text in page.texts(DM, REQUESTER)):
            break
    pulse = page.wait_for_text(DM, REQUESTER, "How satisfied")
    assert _button(pulse, "satisfaction_rate_5")

    answer = page.do("clock", user=REQUESTER, advance="monday")
    assert "Mon" in answer["clock"]["label"]
    page.wait_for_text(DM, REQUESTER, "Your weekly pulse")


def _modal(page: Page) -> dict[str, Any]:
    status, answer = page.request("GET", f"sandbox/api/modal?user={REQUESTER}")
    assert status == 200
    view: dict[str, Any] = answer["view"]
    return view


def test_the_form_draws_a_departments_questions_and_files_the_answers(page: Page) -> None:
    page.do("send", user=REQUESTER, channel=DM, text="/request")
    wait_until(lambda: page.request("GET", f"sandbox/api/modal?user={REQUESTER}")[1]["view"])
    form = _modal(page)
    entered = {
        "department": {
            "request_department": {
                "type": "static_select",
                "selected_option": {"text": {"type": "plain_text", "text": "IT"}, "value": "it"},
            }
        },
        "description": {"request_description": {"type": "plain_text_input", "value": "no picture"}},
    }
    choice = {
        "type": "static_select",
        "action_id": "request_department",
        "block_id": "department",
        "selected_option": entered["department"]["request_department"]["selected_option"],
    }

    page.do(
        "action",
        user=REQUESTER,
        container={"type": "view", "view_id": form["id"]},
        action=choice,
        values=entered,
    )

    wait_until(lambda: "field:it:device" in json.dumps(_modal(page)["blocks"]))
    redrawn = _modal(page)
    [description] = [b for b in redrawn["blocks"] if b["block_id"] == "description"]
    assert description["element"]["initial_value"] == "no picture"
    answered = {
        **entered,
        "field:it:device": {
            "request_field": {
                "type": "static_select",
                "selected_option": {
                    "text": {"type": "plain_text", "text": "Laptop"},
                    "value": "Laptop",
                },
            }
        },
    }
    answer = page.do("submit", user=REQUESTER, view_id=redrawn["id"], values=answered)
    assert answer == {"ok": True}
    card = page.wait_for_text(IT_CHANNEL, AGENT, "no picture")
    assert "*Which device?*\\nLaptop" in json.dumps(card["blocks"])


def test_kudos_are_shouted_out_in_the_kudos_channel(page: Page) -> None:
    thanks = "/kudos @omar thanks! #teamwork"
    page.do("send", user=REQUESTER, channel=people.GENERAL_CHANNEL, text=thanks)
    shout = page.wait_for_text(people.KUDOS_CHANNEL, REQUESTER, "thanks!")
    assert f"<@{AGENT}>" in shout["text"] or any(
        f"<@{AGENT}>" in json.dumps(block) for block in shout["blocks"] or []
    )


def test_the_sandbox_keeps_its_state_over_a_restart_and_reset_starts_over(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "kept"
    first = _start(folder)
    page = Page(first.url)
    _file(page, "the printer jams")
    page.do("clock", user=REQUESTER, advance="day")
    first.close()

    second = _start(folder)
    try:
        page = Page(second.url)
        assert any("the printer jams" in text for text in page.texts(IT_CHANNEL, AGENT))
        assert second.sandbox.clock_state()["offset_seconds"] >= 24 * 3600

        page.do("reset")
        assert page.texts(IT_CHANNEL, AGENT) == []
        assert second.sandbox.clock_state()["offset_seconds"] == 0
        _file(page, "after the reset")
        assert "REQ-1 " in page.wait_for_text(IT_CHANNEL, AGENT, "after the reset")["text"]
    finally:
        second.close()


@pytest.mark.parametrize(
    ("what", "body", "status"),
    [
        ("send", {"user": "U0NOBODY", "channel": DM, "text": "hi"}, 400),
        ("send", {"user": REQUESTER, "channel": DM, "text": "/shrug"}, 400),
        ("send", {"user": REQUESTER, "channel": DM, "text": "   "}, 400),
        ("send", {"user": REQUESTER, "channel": DM, "text": ["a list"]}, 400),
        ("action", {"user": REQUESTER, "container": "x", "action": {}}, 400),
        ("submit", {"user": REQUESTER, "view_id": "V404", "values": {}}, 400),
        ("react", {"user": REQUESTER, "channel": DM, "ts": "1.2", "name": "<script>"}, 400),
        ("react", {"user": REQUESTER, "channel": DM, "ts": "1.2", "name": "clap"}, 400),
        ("clock", {"user": REQUESTER, "advance": "backwards"}, 400),
        ("nonsense", {}, 404),
    ],
)
def test_bad_input_gets_a_clear_answer_and_changes_nothing(
    page: Page, running: RunningSandbox, what: str, body: dict[str, Any], status: int
) -> None:
    before = running.sandbox.workspace.messages(DM, viewer=REQUESTER)
    code, answer = page.request("POST", f"sandbox/api/{what}", body)
    assert code == status
    assert answer["ok"] is False
    assert answer["error"]
    assert running.sandbox.workspace.messages(DM, viewer=REQUESTER) == before
    assert running.sandbox.clock_state()["offset_seconds"] == 0


def test_only_json_from_this_machine_drives_the_sandbox(page: Page) -> None:
    body = {"user": REQUESTER, "channel": DM, "text": "hello"}
    assert page.request("POST", "sandbox/api/send", body, {"Content-Type": "text/plain"})[0] == 415
    rebound = {"Host": "attacker.example:3001"}
    assert page.request("POST", "sandbox/api/send", body, rebound)[0] == 421
    assert page.request("GET", "sandbox/api/state", None, rebound)[0] == 421
    assert page.messages(DM, REQUESTER) == []


def test_a_message_is_escaped_and_mentions_become_slack_mentions(page: Page) -> None:
    page.do(
        "send", user=REQUESTER, channel=people.GENERAL_CHANNEL, text="<b>hi</b> @omar & @nobody"
    )
    [message] = page.messages(people.GENERAL_CHANNEL, REQUESTER)
    assert message["text"] == f"&lt;b&gt;hi&lt;/b&gt; <@{AGENT}|omar> &amp; @nobody"
    assert message["user"] == REQUESTER
    assert message["is_bot"] is False


def test_an_app_that_does_not_answer_is_reported_not_a_server_error(
    page: Page, running: RunningSandbox
) -> None:
    running.bot_server.stop()
    status, answer = page.request(
        "POST", "sandbox/api/send", {"user": REQUESTER, "channel": DM, "text": "/request it hi"}
    )
    assert status == 400
    assert "did not answer" in answer["error"]


def _raw(url: str, request: bytes) -> bytes:
    """What the server answers to bytes sent as they are, up to the connection's end."""
    host, port = urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port
    with socket.create_connection((host, port), timeout=30) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def test_another_site_in_the_browser_cannot_drive_the_sandbox(page: Page) -> None:
    body = {"user": REQUESTER, "channel": DM, "text": "posted by another site"}
    # A simple request a page elsewhere may send without asking: no JSON content type.
    sneaky = {"Content-Type": "text/plain; charset=application/json"}
    assert page.request("POST", "sandbox/api/send", body, sneaky)[0] == 415
    for headers in (
        {"Origin": "http://evil.example"},
        {"Origin": "http://127.0.0.1:1"},
        {"Sec-Fetch-Site": "cross-site"},
    ):
        assert page.request("POST", "sandbox/api/send", body, headers)[0] == 403
    assert page.messages(DM, REQUESTER) == []


def test_only_the_sandboxs_bot_may_call_its_web_api(page: Page) -> None:
    status, answer = page.request(
        "POST", "api/chat.postMessage", {"channel": DM, "text": "forged"}, {"Authorization": "x"}
    )
    assert (status, answer) == (200, {"ok": False, "error": "not_authed"})
    assert page.messages(DM, REQUESTER) == []


def test_the_body_of_a_refused_request_is_never_read_as_another_request(page: Page) -> None:
    smuggled = json.dumps({"user": REQUESTER, "channel": DM, "text": "smuggled"}).encode()
    inner = (
        b"POST /sandbox/api/send HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: "
        + str(len(smuggled)).encode()
        + b"\r\n\r\n"
        + smuggled
    )
    outer = (
        b"POST /sandbox/api/send HTTP/1.1\r\nHost: rebound.example\r\n"
        b"Content-Type: application/json\r\nContent-Length: "
        + str(len(inner)).encode()
        + b"\r\n\r\n"
        + inner
    )
    answer = _raw(page.url, outer)
    assert answer.startswith(b"HTTP/1.1 421")
    assert answer.count(b"HTTP/1.1 ") == 1
    assert page.messages(DM, REQUESTER) == []


@pytest.mark.parametrize(
    ("request_line", "headers", "body"),
    [
        (b"POST /sandbox/api/send", b"Content-Length: abc\r\n", b""),
        (b"POST /sandbox/api/send", b"Content-Length: -5\r\n", b""),
        (b"POST /response/whatever", b"Content-Length: 5\r\n", b"{not "),
        (
            b"POST /sandbox/api/send",
            b"Content-Length: 4\r\nContent-Type: application/json\r\n",
            b"[1,2",
        ),
    ],
)
def test_malformed_requests_get_a_4xx_and_change_nothing(
    page: Page, request_line: bytes, headers: bytes, body: bytes
) -> None:
    answer = _raw(
        page.url,
        request_line
        + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        + headers
        + b"\r\n"
        + body,
    )
    assert answer.split(b" ", 2)[1].startswith(b"4"), answer[:200]
    assert page.messages(DM, REQUESTER) == []


def test_a_web_api_call_with_a_bad_cursor_is_answered_not_dropped(running: RunningSandbox) -> None:
    token = running.bot.gateway.client.token
    page = Page(running.url)
    status, answer = page.request(
        "POST",
        "api/conversations.history",
        {"channel": DM, "cursor": "abc"},
        {"Authorization": f"Bearer {token}"},
    )
    assert (status, answer) == (400, {"ok": False, "error": "invalid_arguments"})


def test_a_person_posts_only_in_the_workspaces_channels_and_their_own_dm(page: Page) -> None:
    for channel in ("C0NOWHERE1", "D" + AGENT[1:]):
        status, answer = page.request(
            "POST", "sandbox/api/send", {"user": REQUESTER, "channel": channel, "text": "hi"}
        )
        assert status == 400
        assert "no such conversation" in answer["error"]
    assert page.messages("D" + AGENT[1:], AGENT) == []


def test_the_conversation_about_a_request_runs_through_both_threads(page: Page) -> None:
    card = _file(page, "the printer jams")

    page.do("send", user=AGENT, channel=IT_CHANNEL, text="Which floor?", thread_ts=card["ts"])

    copy = page.wait_for_text(DM, REQUESTER, "Which floor?")
    opening = page.wait_for_text(DM, REQUESTER, "the team's replies arrive")
    assert copy["thread_ts"] == opening["ts"]
    page.do("send", user=REQUESTER, channel=DM, text="The 3rd", thread_ts=opening["ts"])
    answer = page.wait_for_text(IT_CHANNEL, AGENT, "The 3rd")
    assert answer["thread_ts"] == card["ts"]
    assert "(requester)" in json.dumps(answer["blocks"])


def test_a_reply_in_a_thread_that_is_not_there_is_refused(page: Page) -> None:
    status, answer = page.request(
        "POST",
        "sandbox/api/send",
        {"user": AGENT, "channel": IT_CHANNEL, "text": "hello", "thread_ts": "1.000001"},
    )
    assert (status, answer["error"]) == (400, "That thread is gone.")
    assert page.messages(IT_CHANNEL, AGENT) == []


def test_a_message_becomes_a_request_by_its_shortcut_or_the_request_emoji(page: Page) -> None:
    general = "C0SBGENERAL"
    page.do("send", user=AGENT, channel=general, text="the printer on 2 is jammed again")
    [message] = page.messages(general, AGENT)

    page.do("shortcut", user=REQUESTER, channel=general, ts=message["ts"])
    opened: list[dict[str, Any]] = []

    def form_open() -> bool:
        status, answer = page.request("GET", f"sandbox/api/modal?user={REQUESTER}")
        opened[:] = [answer["view"]] if status == 200 and answer.get("view") else []
        return bool(opened)

    wait_until(form_open)
    blocks = {b.get("block_id"): b for b in opened[0]["blocks"]}
    assert blocks["description"]["element"]["initial_value"] == "the printer on 2 is jammed again"
    assert "requester" in blocks

    page.do("react", user=REQUESTER, channel=general, ts=message["ts"], name="ticket")
    page.wait_for_text(general, AGENT, "Filed as *REQ-1* with IT Help Desk")
    page.wait_for_text(IT_CHANNEL, AGENT, "the printer on 2 is jammed again")
