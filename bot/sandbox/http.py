"""The sandbox over HTTP, on 127.0.0.1 only: the Web API and response URLs for the bot, and
for the browser the page, its JSON API and a stream of what changed (server-sent events)."""

from __future__ import annotations

import json
import logging
import queue
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.sandbox.driver import Refused, Sandbox
from bot.sandbox.limits import message_problems
from bot.sandbox.web_api import WebApi
from bot.sandbox.workspace import Workspace

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
RESPONSE_PREFIX = "/response/"
STATIC_PREFIX = "/sandbox/static/"
PAGE_API_PREFIX = "/sandbox/api/"
EVENTS_PATH = "/sandbox/events"
# Where the bot sends the bytes of a file (files.getUploadURLExternal names the URL), and
# where the page shows them from.
UPLOAD_PREFIX = "/upload/"
FILES_PREFIX = "/sandbox/files/"
STATIC_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
MAX_BODY_BYTES = 1024 * 1024
# An idle event stream still says something now and then, so a dead browser is noticed.
KEEPALIVE_SECONDS = 15
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
JSON_FIELDS = ("blocks", "view", "attachments", "metadata", "files")


def parse_web_api_body(raw: str, content_type: str) -> dict[str, Any]:
    """A Web API call's arguments, form-encoded or JSON, as Slack reads them."""
    if "json" in content_type:
        return dict(json.loads(raw or "{}"))
    params: dict[str, Any] = {key: values[0] for key, values in parse_qs(raw).items()}
    for key in JSON_FIELDS:
        if isinstance(params.get(key), str):
            params[key] = json.loads(params[key])
    return params


def static_file(name: str) -> bytes | None:
    """A file of the page, by its bare name: nothing outside the static folder is served."""
    if "/" in name or "\\" in name or name.startswith("."):
        return None
    found = resources.files("bot.sandbox").joinpath("static", name)
    return found.read_bytes() if found.is_file() else None


class SandboxServer:
    """Listening from construction, so that the bot can be given its address; serving from
    `start(sandbox)`."""

    def __init__(self, workspace: Workspace, *, port: int, api_token: str) -> None:
        """`api_token` is the bot token the Web API accepts: the sandbox's bot's alone."""
        self.workspace = workspace
        self.api_token = api_token
        self._sandbox: Sandbox | None = None
        self._streams: list[queue.Queue[dict[str, Any] | None]] = []
        self._streams_lock = threading.Lock()
        workspace.subscribe(self._broadcast)
        self.web_api = WebApi(workspace)
        self._server = _QuietServer(("127.0.0.1", port), _handler(self))
        self.web_api.upload_url = self.url + UPLOAD_PREFIX.lstrip("/")
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def sandbox(self) -> Sandbox:
        assert self._sandbox is not None, "start() gives the server its sandbox"
        return self._sandbox

    def start(self, sandbox: Sandbox) -> SandboxServer:
        self._sandbox = sandbox
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._streams_lock:
            for stream in self._streams:
                stream.put(None)
        self._server.shutdown()
        self._server.server_close()

    def _broadcast(self, change: dict[str, Any]) -> None:
        with self._streams_lock:
            for stream in self._streams:
                stream.put(change)

    def open_stream(self) -> queue.Queue[dict[str, Any] | None]:
        stream: queue.Queue[dict[str, Any] | None] = queue.Queue()
        with self._streams_lock:
            self._streams.append(stream)
        return stream

    def close_stream(self, stream: queue.Queue[dict[str, Any] | None]) -> None:
        with self._streams_lock:
            if stream in self._streams:
                self._streams.remove(stream)

    # -- the page's API --------------------------------------------------------------------
    def read(self, what: str, query: dict[str, str]) -> dict[str, Any]:
        sandbox, user = self.sandbox, query.get("user", "")
        if what == "state":
            return sandbox.state(user)
        if what == "messages":
            return {"messages": sandbox.messages(query.get("channel", ""), user)}
        if what == "home":
            return {"view": sandbox.workspace.home(user)}
        if what == "modal":
            return {"view": sandbox.workspace.modal(user)}
        raise LookupError(what)

    def do(self, what: str, body: dict[str, Any]) -> dict[str, Any]:
        sandbox = self.sandbox
        user = _text(body, "user")
        actions: dict[str, Callable[[], Any]] = {
            "send": lambda: sandbox.send(
                user,
                _text(body, "channel"),
                _text(body, "text"),
                thread_ts=_text(body, "thread_ts") or None,
            ),
            "shortcut": lambda: sandbox.shortcut(user, _text(body, "channel"), _text(body, "ts")),
            "action": lambda: sandbox.act(
                user,
                _object(body, "container"),
                _object(body, "action"),
                _object(body, "values") if "values" in body else None,
            ),
            "close": lambda: sandbox.close(user, _text(body, "view_id")),
            "react": lambda: sandbox.react(
                user, _text(body, "channel"), _text(body, "ts"), _text(body, "name")
            ),
            "home-opened": lambda: sandbox.home_opened(user),
            "reset": sandbox.reset,
        }
        if what == "submit":
            errors = sandbox.submit(user, _text(body, "view_id"), _object(body, "values"))
            return {"ok": True, "errors": errors} if errors else {"ok": True}
        if what == "clock":
            return {"ok": True, "clock": sandbox.advance(_text(body, "advance"), user)}
        if what not in actions:
            raise LookupError(what)
        actions[what]()
        return {"ok": True}


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that goes away mid-answer is not an error worth a traceback."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        logger.exception("sandbox.request_failed")


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key, "")
    if not isinstance(value, str):
        raise Refused(f"'{key}' must be text.")
    return value


def _object(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key)
    if not isinstance(value, dict):
        raise Refused(f"'{key}' must be an object.")
    return value


def _handler(server: SandboxServer) -> type[BaseHTTPRequestHandler]:
    workspace = server.workspace
    web_api = server.web_api

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            logger.debug("sandbox.http", extra={"line": format % args})

        # -- routing -----------------------------------------------------------------------
        def do_GET(self) -> None:
            if not self._from_here():
                return
            path, query = self._path()
            if path in ("/", "/index.html"):
                self._static("index.html")
            elif path.startswith(STATIC_PREFIX):
                self._static(path.removeprefix(STATIC_PREFIX))
            elif path == EVENTS_PATH:
                self._stream()
            elif path.startswith(FILES_PREFIX):
                self._file(path.removeprefix(FILES_PREFIX))
            elif path.startswith(PAGE_API_PREFIX):
                try:
                    self._json(200, server.read(path.removeprefix(PAGE_API_PREFIX), query))
                except LookupError:
                    self._json(404, {"ok": False, "error": "not_found"})
                except Refused as refused:
                    self._json(400, {"ok": False, "error": str(refused)})
            else:
                self._json(404, {"ok": False, "error": "not_found"})

        def do_POST(self) -> None:
            if not self._from_here() or not self._from_this_page():
                return
            path, _query = self._path()
            content = self._body_bytes()
            if content is None:
                return
            if path.startswith(UPLOAD_PREFIX):
                received = workspace.receive_upload(path.removeprefix(UPLOAD_PREFIX), content)
                if received:
                    self._text(200, "OK")
                else:
                    self._text(404, "no_such_upload")
                return
            raw = content.decode("utf-8", errors="replace")
            try:
                if path.startswith(API_PREFIX):
                    self._web_api(path.removeprefix(API_PREFIX), raw)
                elif path.startswith(RESPONSE_PREFIX):
                    body = parse_web_api_body(raw, "application/json")
                    problems = message_problems(body)
                    if problems:
                        self._json(400, {"error": "invalid_blocks", "errors": problems})
                    elif workspace.respond(path.removeprefix(RESPONSE_PREFIX), body):
                        self._text(200, "ok")
                    else:
                        self._text(404, "no_such_response_url")
                elif path.startswith(PAGE_API_PREFIX):
                    self._page_action(path.removeprefix(PAGE_API_PREFIX), raw)
                else:
                    self._json(404, {"ok": False, "error": "not_found"})
            except (ValueError, TypeError):
                # Undecodable JSON, a cursor that is not a number: Slack's own answer to both.
                self._json(400, {"ok": False, "error": "invalid_arguments"})

        def _web_api(self, method: str, raw: str) -> None:
            if self.headers.get("Authorization") != f"Bearer {server.api_token}":
                self._json(200, {"ok": False, "error": "not_authed"})
                return
            params = parse_web_api_body(raw, self.headers.get("Content-Type", ""))
            self._json(200, web_api.answer(method, params))

        def _page_action(self, what: str, raw: str) -> None:
            # JSON cannot be sent across sites without a preflight, which is never answered.
            media_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if media_type != "application/json":
                self._json(415, {"ok": False, "error": "Send JSON."})
                return
            try:
                body = json.loads(raw or "{}")
                if not isinstance(body, dict):
                    raise Refused("Send a JSON object.")
                self._json(200, server.do(what, body))
            except LookupError:
                self._json(404, {"ok": False, "error": "not_found"})
            except (Refused, ValueError) as refused:
                self._json(400, {"ok": False, "error": str(refused)})

        # -- helpers -------------------------------------------------------------------------
        def _refuse(self, status: int, error: str) -> None:
            # The body is not read: the connection closes, so it is never taken for a request.
            self.close_connection = True
            self._json(status, {"ok": False, "error": error})

        def _from_here(self) -> bool:
            """Only pages served from this machine: a rebinding name pointing here is refused."""
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]")
            if host in LOCAL_HOSTS:
                return True
            self._refuse(421, "the sandbox answers only on 127.0.0.1")
            return False

        def _from_this_page(self) -> bool:
            """A browser says which site a request comes from: another site open in it may
            not drive the sandbox (the bot, not a browser, sends no Origin at all)."""
            origin = self.headers.get("Origin")
            cross_site = self.headers.get("Sec-Fetch-Site") == "cross-site"
            if origin is not None:
                parts = urlsplit(origin)
                cross_site = cross_site or not (
                    parts.hostname in LOCAL_HOSTS and parts.port == server.port
                )
            if not cross_site:
                return True
            self._refuse(403, "the sandbox takes requests from its own page only")
            return False

        def _path(self) -> tuple[str, dict[str, str]]:
            parts = urlsplit(self.path)
            return parts.path, {key: values[0] for key, values in parse_qs(parts.query).items()}

        def _body_bytes(self) -> bytes | None:
            declared = self.headers.get("Content-Length") or "0"
            if not declared.isdigit():
                self._refuse(400, "Content-Length must be a number of bytes")
                return None
            if int(declared) > MAX_BODY_BYTES:
                self._refuse(413, "too large")
                return None
            return self.rfile.read(int(declared))

        def _file(self, file_id: str) -> None:
            shared, content = workspace.file(file_id), workspace.file_content(file_id)
            if shared is None or content is None:
                self._json(404, {"ok": False, "error": "file_not_found"})
                return
            self._send(200, content, shared["mimetype"], {"Cache-Control": "private"})

        def _static(self, name: str) -> None:
            content = static_file(name)
            suffix = name[name.rfind(".") :] if "." in name else ""
            if content is None or suffix not in STATIC_TYPES:
                self._json(404, {"ok": False, "error": "not_found"})
                return
            self._send(200, content, STATIC_TYPES[suffix], {"Cache-Control": "no-cache"})

        def _stream(self) -> None:
            stream = server.open_stream()
            try:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "keep-alive")
                self.end_headers()
                self.wfile.write(b": connected\n\n")
                self.wfile.flush()
                while True:
                    try:
                        change = stream.get(timeout=KEEPALIVE_SECONDS)
                    except queue.Empty:
                        self.wfile.write(b": keepalive\n\n")
                        self.wfile.flush()
                        continue
                    if change is None:
                        return
                    self.wfile.write(f"event: change\ndata: {json.dumps(change)}\n\n".encode())
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return
            finally:
                server.close_stream(stream)
                self.close_connection = True

        def _json(self, status: int, body: dict[str, Any]) -> None:
            self._send(status, json.dumps(body).encode(), "application/json", {})

        def _text(self, status: int, text: str) -> None:
            self._send(status, text.encode(), "text/plain", {})

        def _send(
            self, status: int, content: bytes, content_type: str, headers: dict[str, str]
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(content)))
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("X-Frame-Options", "DENY")
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(content)

    return Handler
