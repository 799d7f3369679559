"""Signatures, retries, slow dependencies, failures and health, through the real endpoint."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import timedelta

from sqlalchemy import func, select

from bot.sandbox.sender import sign
from bot.slack import POST_ATTEMPTS
from models import Job, Request
from tests.e2e.conftest import Desk
from tests.e2e.helpers import (
    database_write_lock,
    file_request,
    get_request,
    run_jobs,
    text_of,
)
from tests.fake_slack import ScriptedFailure


def _ids(desk: Desk) -> list[int]:
    with desk.session_factory() as session:
        return list(session.scalars(select(Request.id)))


def _count(desk: Desk) -> int:
    with desk.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(Request)) or 0)


def _assert_rejected(desk: Desk, status: int) -> None:
    assert status == 401
    desk.pulsedesk.finish_work()
    assert _count(desk) == 0
    assert [c.method for c in desk.fake.calls if c.method != "auth.test"] == []


def test_bad_signature_is_rejected_and_changes_nothing(desk: Desk) -> None:
    fields = desk.slack.slash_command_fields("it laptop broken")
    result = desk.slack.post_form(fields, signature="v0=" + "0" * 64)
    _assert_rejected(desk, result.status)


def test_altered_body_is_rejected(desk: Desk) -> None:
    ts = str(int(time.time()))
    signature = sign(desk.slack.signing_secret, ts, b"text=it+laptop")
    fields = desk.slack.slash_command_fields("it laptop broken")
    result = desk.slack.post_form(fields, timestamp=int(ts), signature=signature)
    _assert_rejected(desk, result.status)


def test_stale_timestamp_is_rejected(desk: Desk) -> None:
    fields = desk.slack.slash_command_fields("it laptop broken")
    result = desk.slack.post_form(fields, timestamp=int(time.time()) - 6 * 60)
    _assert_rejected(desk, result.status)


def test_missing_signature_headers_are_rejected(desk: Desk) -> None:
    request = urllib.request.Request(
        desk.slack.url,
        data=b"text=it+laptop",
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        urllib.request.urlopen(request, timeout=5)
        status = 200
    except urllib.error.HTTPError as error:
        status = error.code
    _assert_rejected(desk, status)


def test_rate_limited_card_post_is_retried_after_retry_after(desk: Desk) -> None:
    desk.fake.rate_limit("chat.postMessage", times=2, retry_after=1)
    request = file_request(desk)
    posts = desk.fake.calls_to("chat.postMessage")
    assert len(posts) == 3
    assert all(p.params["channel"] == "C0IT000001" for p in posts)
    assert posts[1].at - posts[0].at >= 1
    assert posts[2].at - posts[1].at >= 1
    assert get_request(desk, request.id).card_ts is not None


def test_card_update_is_retried_on_rate_limit(desk: Desk) -> None:
    request = file_request(desk)
    desk.fake.rate_limit("chat.update", times=1, retry_after=0)
    desk.slack.block_action("request_claim", user="U0AGENT1", value=f"req:{request.id}")
    desk.fake.wait_for_call("chat.update", count=2)


def test_connection_failures_keep_the_request_and_say_so(desk: Desk) -> None:
    desk.fake.drop_connection("chat.postMessage", times=POST_ATTEMPTS)
    desk.slack.slash_command("it laptop broken")
    [reply] = desk.fake.wait_for_call("response_url")
    assert "could not post it" in text_of(reply)
    assert "error id" not in text_of(reply)
    assert len(desk.fake.calls_to("chat.postMessage")) == POST_ATTEMPTS
    # Between tries, the card was looked for in the channel: none of them had landed.
    assert len(desk.fake.calls_to("conversations.history")) == POST_ATTEMPTS - 1
    desk.pulsedesk.finish_work()
    assert _count(desk) == 1


def test_acks_stay_prompt_while_every_worker_waits_on_slack(desk: Desk) -> None:
    release = desk.fake.hold("chat.postMessage")
    statuses = [
        desk.slack.slash_command(f"it laptop {i}", user=f"U0P{i}").status for i in range(20)
    ]
    # More commands than listener threads, all answered while their card posts are held.
    assert statuses == [200] * 20
    release.set()
    desk.fake.wait_for_call("response_url", count=20)
    desk.pulsedesk.finish_work()
    assert _count(desk) == 20


def test_server_errors_are_retried(desk: Desk) -> None:
    desk.fake.server_error("chat.postMessage", times=2)
    request = file_request(desk)
    assert len(desk.fake.calls_to("chat.postMessage")) == 3
    assert get_request(desk, request.id).card_ts is not None


def test_card_that_cannot_be_posted_keeps_the_request_and_says_so(desk: Desk) -> None:
    desk.fake.errors["chat.postMessage"] = "not_in_channel"
    desk.slack.slash_command("it laptop broken")
    [reply] = desk.fake.wait_for_call("response_url")
    assert "could not post it" in text_of(reply)
    assert "REQ-" in reply.params["text"]
    desk.pulsedesk.finish_work()
    assert _count(desk) == 1


def test_a_card_that_could_not_be_posted_is_posted_by_a_job_later(desk: Desk) -> None:
    desk.fake.errors["chat.postMessage"] = "not_in_channel"
    desk.slack.slash_command("it laptop broken")
    desk.fake.wait_for_call("response_url")
    desk.pulsedesk.finish_work()
    [request_id] = _ids(desk)

    run_jobs(desk)
    assert len(desk.fake.calls_to("chat.postMessage")) == 1
    desk.clock.advance(timedelta(minutes=5))
    run_jobs(desk)
    assert len(desk.fake.calls_to("chat.postMessage")) == 2
    assert get_request(desk, request_id).card_ts is None

    del desk.fake.errors["chat.postMessage"]
    desk.clock.advance(timedelta(minutes=5))
    summary = run_jobs(desk)
    assert summary.done == 1
    [*_, card] = desk.fake.calls_to("chat.postMessage")
    assert card.params["channel"] == "C0IT000001"
    assert f"REQ-{request_id}" in card.params["text"]
    assert get_request(desk, request_id).card_ts is not None
    desk.clock.advance(timedelta(hours=1))
    assert run_jobs(desk).ran == 0


def test_ack_does_not_wait_for_a_slow_web_api(desk: Desk) -> None:
    release = desk.fake.hold("chat.postMessage")
    result = desk.slack.slash_command("it laptop broken")
    # Answered while the card post is still held by the fake Slack.
    assert result.status == 200
    assert desk.fake.calls_to("response_url") == []
    release.set()
    desk.fake.wait_for_call("response_url")
    assert desk.fake.calls_to("chat.postMessage")


def test_by_the_time_a_command_is_acked_what_it_asks_is_kept(desk: Desk) -> None:
    release = desk.fake.hold("chat.postMessage")
    try:
        assert desk.slack.slash_command("it laptop broken").status == 200
        # The card is not posted yet, but the command is in the database already.
        with desk.session_factory() as session:
            kept = session.scalars(select(Job.kind).where(Job.kind.like("slack.%"))).all()
        assert kept == ["slack.request_command"]
    finally:
        release.set()
    desk.fake.wait_for_call("response_url")
    assert _count(desk) == 1


def test_form_opens_while_a_writer_holds_the_database(desk: Desk, database_url: str) -> None:
    with database_write_lock(desk, database_url):
        assert desk.slack.slash_command("").status == 200
        # The trigger_id would expire before a 10-second lock wait ended.
        desk.fake.wait_for_call("views.open")


def test_unexpected_failure_gets_an_apology_with_error_id(desk: Desk) -> None:
    desk.fake.errors["views.open"] = "internal_error"
    result = desk.slack.slash_command("")
    assert result.status == 200
    [reply] = desk.fake.wait_for_call("response_url")
    assert reply.params["response_type"] == "ephemeral"
    assert "Sorry, something went wrong" in reply.params["text"]
    assert "error id `" in reply.params["text"]


def test_retried_event_is_handled_without_error(desk: Desk) -> None:
    event = {"type": "app_home_opened", "user": "U0ALICE", "tab": "home"}
    for retry in ("", "1"):
        headers = (
            {"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        )
        assert desk.slack.event(event, event_id="Ev0SAME", headers=headers).status == 200
    desk.fake.wait_for_call("views.publish", count=2)


def test_dm_failure_does_not_undo_the_claim(desk: Desk) -> None:
    request = file_request(desk)
    desk.fake.fail(
        "chat.postMessage",
        ScriptedFailure(200, body={"ok": False, "error": "cannot_dm_bot"}),
    )
    desk.slack.block_action("request_claim", user="U0AGENT1", value=f"req:{request.id}")
    desk.fake.wait_for_call("chat.update")
    desk.pulsedesk.finish_work()
    assert get_request(desk, request.id).status == "claimed"
    dm_attempts = [
        c for c in desk.fake.calls_to("chat.postMessage") if c.params["channel"] == "U0ALICE"
    ]
    assert len(dm_attempts) == 1
    assert "picked up" in dm_attempts[0].params["text"]
    assert desk.fake.calls_to("response_url")[-1].params.get("text", "").startswith("Filed")


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_health_check_and_unknown_paths(desk: Desk) -> None:
    assert _get(desk.url + "/healthz") == (200, {"status": "ok"})
    assert _get(desk.url + "/nope")[0] == 404


def test_the_health_check_only_reads_so_it_never_queues_behind_a_writer(
    desk: Desk, database_url: str
) -> None:
    with database_write_lock(desk, database_url):
        assert _get(desk.url + "/healthz") == (200, {"status": "ok"})
