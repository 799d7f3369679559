"""A recording fake of the Slack Web API (and of response_url), served over real HTTP.

What Slack does with each call is the sandbox's workspace (bot/sandbox/workspace.py); this
adds what tests need around it. Tests point SLACK_API_URL at it, script failures per method
(429 with Retry-After, 500), hold a method until released, and wait on conditions over the
recorded calls.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bot.sandbox.http import parse_web_api_body
from bot.sandbox.limits import message_problems
from bot.sandbox.web_api import WebApi
from bot.sandbox.workspace import Identity, Workspace
from tests.waiting import WAIT_TIMEOUT_SECONDS

# Woken by every recorded call; between calls, conditions on state outside the fake (rows
# written after the last call) are checked this often.
RECHECK_SECONDS = 0.02


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


@dataclass
class ScriptedFailure:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=lambda: {"ok": False, "error": "fatal_error"})


class FakeSlack:
    def __init__(
        self, *, team_id: str = "T0TEST", bot_user_id: str = "U0BOT", record_calls: bool = True
    ) -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.calls: list[Call] = []
        # Off for benchmarks, whose memory should be the bot's: then only counts are kept.
        self._record_calls = record_calls
        self.call_counts: dict[str, int] = {}
        self.channel_members: dict[str, list[str]] = {}
        # users.info answers these time zones; anyone else is in Europe/London.
        self.user_timezones: dict[str, str | None] = {}
        # users.info answers these fields over its defaults (an active person named
        # "Person <id>"), e.g. {"is_bot": True} or {"deleted": True}.
        self.user_profiles: dict[str, dict[str, Any]] = {}
        # users.list answers these members (Slack's user objects), a page at a time.
        self.members: list[dict[str, Any]] = []
        self.workspace = Workspace(
            Identity(team_id=team_id, bot_user_id=bot_user_id),
            self,
            keep_content=record_calls,
            strict_triggers=False,
        )
        self.errors: dict[str, str] = {}
        self.rejected: list[tuple[str, list[str]]] = []
        self._failures: dict[str, list[ScriptedFailure]] = {}
        self._failures_where: list[
            tuple[str, Callable[[dict[str, Any]], bool], list[ScriptedFailure]]
        ] = []
        # Calls that take effect and then lose their answer: "drop", "500" or "timeout".
        self._lost_answers: dict[str, list[str]] = {}
        self._never_answer = threading.Event()
        self._holds: dict[str, threading.Event] = {}
        self._limits: dict[str, _TokenBucket] = {}
        self.over_limit: dict[str, int] = {}
        self._condition = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.web_api = WebApi(self.workspace, upload_url=self.base_url + "upload/")
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._never_answer.set()
        for hold in self._holds.values():
            hold.set()
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    @property
    def api_url(self) -> str:
        return self.base_url + "api/"

    def response_url(self, name: str = "r") -> str:
        return f"{self.base_url}response/{name}"

    @property
    def history(self) -> dict[str, list[dict[str, Any]]]:
        """Posted messages per conversation, newest first."""
        return self.workspace.history()

    # -- the directory the workspace answers from ------------------------------------------
    def user(self, user_id: str) -> dict[str, Any]:
        """Anyone is an active person in Europe/London, but for what the test set."""
        found: dict[str, Any] = {
            "id": user_id,
            "tz": self.user_timezones.get(user_id, "Europe/London"),
            "is_bot": False,
            "deleted": False,
            "real_name": f"Person {user_id}",
            "profile": {"display_name": f"Person {user_id}"},
        }
        found.update(self.user_profiles.get(user_id, {}))
        return found

    def everyone(self) -> list[dict[str, Any]]:
        return self.members

    def members_of(self, channel: str) -> list[str]:
        return self.channel_members.get(channel, [])

    # -- scripting ---------------------------------------------------------------------------
    def fail(self, method: str, *failures: ScriptedFailure) -> None:
        """The next calls of `method` get these answers, in order, before normal service."""
        with self._condition:
            self._failures.setdefault(method, []).extend(failures)

    def fail_where(
        self, method: str, where: Callable[[dict[str, Any]], bool], *failures: ScriptedFailure
    ) -> None:
        """The next calls of `method` whose parameters match `where` get these answers."""
        with self._condition:
            self._failures_where.append((method, where, list(failures)))

    def rate_limit(self, method: str, *, times: int = 1, retry_after: int = 0) -> None:
        failure = ScriptedFailure(
            429, {"Retry-After": str(retry_after)}, {"ok": False, "error": "ratelimited"}
        )
        self.fail(method, *([failure] * times))

    def server_error(self, method: str, *, times: int = 1) -> None:
        self.fail(method, *([ScriptedFailure(500)] * times))

    def drop_connection(self, method: str, *, times: int = 1) -> None:
        """The next calls of `method` are cut off without an answer (a connection failure)."""
        self.fail(method, *([ScriptedFailure(0)] * times))

    def lose_answer(self, method: str, *, how: str, times: int = 1) -> None:
        """The next calls of `method` take effect (a message is posted) and then their answer
        is lost: the connection drops ("drop"), Slack answers 500 ("500"), or no answer comes
        until the fake stops ("timeout", for a client with a short timeout)."""
        assert how in ("drop", "500", "timeout")
        with self._condition:
            self._lost_answers.setdefault(method, []).extend([how] * times)

    def enforce_limit(
        self, method: str, *, per_second: float, burst: int, clock: Callable[[], float]
    ) -> None:
        """Answer `method` with 429 (Retry-After: 1) beyond `per_second`, as Slack does.

        Time is read from `clock` (seconds): a test's fake clock, so that whether a call is
        over the limit depends on the calls alone, never on how fast the machine runs them.
        """
        with self._condition:
            self._limits[method] = _TokenBucket(per_second, burst, clock)

    def hold(self, method: str) -> threading.Event:
        """Calls of `method` block until the returned event is set."""
        event = threading.Event()
        self._holds[method] = event
        return event

    # -- inspection ----------------------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        with self._condition:
            return [c for c in self.calls if c.method == method]

    def wait_for(
        self, predicate: Callable[[list[Call]], Any], *, timeout: float = WAIT_TIMEOUT_SECONDS
    ) -> Any:
        """Wait until predicate(calls) is truthy and return its value; fail after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._condition:
            # Woken by every recorded call, and every few milliseconds for conditions on
            # state outside the fake (database rows written after the last call).
            while not (result := predicate(list(self.calls))):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._condition.wait(min(remaining, RECHECK_SECONDS))
        if not result:
            methods = [c.method for c in self.calls]
            raise AssertionError(f"condition not met within {timeout}s; calls were {methods}")
        return result

    def wait_for_call(
        self, method: str, *, count: int = 1, where: Callable[[Call], bool] | None = None
    ) -> list[Call]:
        def matching(calls: list[Call]) -> list[Call] | None:
            found = [c for c in calls if c.method == method and (where is None or where(c))]
            return found if len(found) >= count else None

        result: list[Call] = self.wait_for(matching)
        return result

    # -- serving -------------------------------------------------------------------------------
    def _record(self, call: Call) -> None:
        with self._condition:
            self.call_counts[call.method] = self.call_counts.get(call.method, 0) + 1
            if self._record_calls:
                self.calls.append(call)
            self._condition.notify_all()

    def _over_limit(self, method: str) -> bool:
        with self._condition:
            bucket = self._limits.get(method)
            if bucket is None or bucket.take():
                return False
            self.over_limit[method] = self.over_limit.get(method, 0) + 1
            return True

    def _next_lost_answer(self, method: str) -> str | None:
        with self._condition:
            queue = self._lost_answers.get(method)
            return queue.pop(0) if queue else None

    def _next_failure(self, method: str, params: dict[str, Any]) -> ScriptedFailure | None:
        with self._condition:
            for scripted, where, failures in self._failures_where:
                if scripted == method and failures and where(params):
                    return failures.pop(0)
            queue = self._failures.get(method)
            return queue.pop(0) if queue else None

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method in self.errors:
            return {"ok": False, "error": self.errors[method]}
        answer = self.web_api.answer(method, params)
        if answer.get("error") == "invalid_blocks":
            self.rejected.append((method, answer["errors"]))
        return answer

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                content = self.rfile.read(length)
                if self.path.startswith("/upload/"):
                    self._upload(self.path.removeprefix("/upload/"), content)
                    return
                raw = content.decode()
                params = parse_web_api_body(raw, self.headers.get("Content-Type", ""))
                if self.path.startswith("/response/"):
                    method = "response_url"
                else:
                    method = self.path.removeprefix("/api/").split("?")[0]
                fake._record(Call(method, params, dict(self.headers.items())))
                hold = fake._holds.get(method)
                if hold is not None:
                    hold.wait(WAIT_TIMEOUT_SECONDS)
                if fake._over_limit(method):
                    self._send(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
                    return
                failure = fake._next_failure(method, params)
                if failure is not None and failure.status == 0:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if failure is not None:
                    self._send(failure.status, failure.body, failure.headers)
                    return
                lost = fake._next_lost_answer(method)
                if lost is not None:
                    fake._answer(method, params)  # it takes effect; then its answer is lost
                    if lost == "500":
                        self._send(500, {"ok": False, "error": "internal_error"}, {})
                        return
                    if lost == "timeout":
                        fake._never_answer.wait(WAIT_TIMEOUT_SECONDS)
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if method == "response_url":
                    problems = message_problems(params)
                    if problems:
                        fake.rejected.append((method, problems))
                        self._send(400, {"error": "invalid_blocks", "errors": problems}, {})
                        return
                    self._send(200, None, {})
                    return
                self._send(200, fake._answer(method, params), {})

            def _upload(self, file_id: str, content: bytes) -> None:
                """The bytes of a file, sent to the URL files.getUploadURLExternal gave."""
                fake._record(Call("upload", {"file_id": file_id, "length": len(content)}, {}))
                if fake.workspace.receive_upload(file_id, content):
                    self._send(200, None, {})
                else:
                    self._send(404, {"ok": False, "error": "no_such_upload"}, {})

            def _send(
                self, status: int, body: dict[str, Any] | None, headers: dict[str, str]
            ) -> None:
                payload = b"ok" if body is None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header(
                    "Content-Type", "text/plain" if body is None else "application/json"
                )
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

        return Handler


class _TokenBucket:
    def __init__(self, per_second: float, burst: int, clock: Callable[[], float]) -> None:
        self._rate = per_second
        self._capacity = float(burst)
        self._tokens = float(burst)
        self._clock = clock
        self._at = clock()

    def take(self) -> bool:
        now = self._clock()
        self._tokens = min(self._capacity, self._tokens + (now - self._at) * self._rate)
        self._at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True
