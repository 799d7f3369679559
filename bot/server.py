"""HTTP mode: Bolt's WSGI adapter at /slack/events and a health check, served by waitress."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from waitress import wasyncore
from waitress.server import create_server

from bot.app import Pulsedesk
from bot.db import read_session
from bot.manifest import EVENTS_PATH

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
# Acks wait mostly for their job's commit, which they share (bot/intake.py): the more threads
# are waiting, the more acks one commit carries. At 8 threads, 50 concurrent senders queued.
SERVER_THREADS = 32
MAX_REQUEST_BODY_BYTES = 2 * 1024 * 1024
# Idle or slow connections must never crowd out Slack's: accept many (polled, not select()ed,
# which stops at 1,024 descriptors), and drop one that sends nothing for a while.
CONNECTION_LIMIT = 2000
IDLE_CONNECTION_SECONDS = 30
# Slack's rule: a request signed longer ago than this may be a replay.
SIGNATURE_MAX_AGE_SECONDS = 5 * 60


def _json(start_response: StartResponse, status: str, payload: dict[str, Any]) -> Iterable[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


class Rejected(Exception):
    """A request answered before Bolt sees it: unsigned, stale, or not a Slack payload."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def signature_problem(
    body: bytes, *, timestamp: str, signature: str, secret: str, now: float
) -> str | None:
    """Why a request is not signed by Slack with `secret`, or None: Slack's v0 scheme, an
    HMAC-SHA256 of `v0:{timestamp}:{raw body}`, sent less than 5 minutes ago. The raw bytes
    are signed, so nothing needs decoding to check them."""
    try:
        sent_at = int(timestamp)
    except ValueError:
        return "bad_timestamp"
    if abs(now - sent_at) > SIGNATURE_MAX_AGE_SECONDS:
        return "stale"
    base = b"v0:" + timestamp.encode("latin-1") + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    # WSGI headers are latin-1 strings: compared as bytes, whatever a client put in them.
    if not hmac.compare_digest(expected.encode(), signature.encode("latin-1")):
        return "bad_signature"
    return None


def read_signed_body(environ: WSGIEnvironment, secret: str, now: float) -> bytes:
    """The raw body, once its Slack signature is checked; Bolt parses it only after that, so
    nothing unsigned ever reaches a parser."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise Rejected("400 Bad Request", "bad_content_length") from None
    if not 0 <= length <= MAX_REQUEST_BODY_BYTES:
        raise Rejected("413 Payload Too Large", "too_large")
    body: bytes = environ["wsgi.input"].read(length)
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE")
    if not timestamp or not signature:
        raise Rejected("401 Unauthorized", "unsigned")
    problem = signature_problem(
        body, timestamp=timestamp, signature=signature, secret=secret, now=now
    )
    if problem is not None:
        raise Rejected("401 Unauthorized", problem)
    problem = payload_problem(body, str(environ.get("CONTENT_TYPE") or ""))
    if problem is not None:
        raise Rejected("400 Bad Request", problem)
    return body


def payload_problem(body: bytes, content_type: str) -> str | None:
    """Why a signed body is not one of Slack's payloads (JSON events, form-encoded commands,
    `payload=` interactions), or None; what Bolt would otherwise fail on with a traceback."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "not_utf8"
    try:
        if content_type.startswith("application/json") or text.startswith("{"):
            parsed: object = json.loads(text)
        else:
            form = parse_qs(text)
            if "payload" not in form:
                return None
            parsed = json.loads(form["payload"][0])
    except (ValueError, RecursionError):
        return "not_json"
    return None if isinstance(parsed, dict) else "not_an_object"


def build_wsgi_app(pulsedesk: Pulsedesk) -> WSGIApplication:
    slack_handler = SlackRequestHandler(pulsedesk.app, path=EVENTS_PATH)

    def pulsedesk_wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            try:
                with read_session(pulsedesk.session_factory) as session:
                    session.execute(text("SELECT 1"))
            except SQLAlchemyError:
                logger.exception("health.database_unavailable")
                return _json(start_response, "503 Service Unavailable", {"status": "unhealthy"})
            return _json(start_response, "200 OK", {"status": "ok"})
        if path == EVENTS_PATH and environ.get("REQUEST_METHOD") == "POST":
            try:
                body = read_signed_body(environ, pulsedesk.signing_secret, time.time())
            except Rejected as rejected:
                logger.info("slack.request_rejected", extra={"reason": rejected.reason})
                return _json(start_response, rejected.status, {"error": "invalid request"})
            environ["wsgi.input"] = io.BytesIO(body)
            try:
                return slack_handler(environ, start_response)
            except (TypeError, AttributeError, KeyError, ValueError):
                # Bolt reads the envelope (who, which team, which channel) before any listener
                # and fails on fields of the wrong type: a payload that is not Slack's.
                logger.info("slack.request_rejected", extra={"reason": "malformed_envelope"})
                return _json(start_response, "400 Bad Request", {"error": "invalid request"})
        return _json(start_response, "404 Not Found", {"error": "not_found"})

    return pulsedesk_wsgi


class HttpServer:
    """Waitress, a production WSGI server, serving pulsedesk until `stop()`."""

    def __init__(self, pulsedesk: Pulsedesk, *, host: str, port: int, loop_timeout: float = 1.0):
        self._server: Any = create_server(
            build_wsgi_app(pulsedesk),
            host=host,
            port=port,
            threads=SERVER_THREADS,
            max_request_body_size=MAX_REQUEST_BODY_BYTES,
            connection_limit=CONNECTION_LIMIT,
            channel_timeout=IDLE_CONNECTION_SECONDS,
            asyncore_use_poll=True,
            asyncore_loop_timeout=loop_timeout,
            ident="pulsedesk",
        )

    @property
    def port(self) -> int:
        return int(self._server.effective_port)

    def run(self) -> None:
        try:
            self._server.run()
        finally:
            self._server.task_dispatcher.shutdown()

    def stop(self) -> None:
        """Make `run()` return. Sockets are closed on the server's own loop thread, since
        closing them under a running select() from another thread fails with EBADF."""
        try:
            self._server.trigger.pull_trigger(lambda: wasyncore.close_all(self._server._map))
        except OSError:
            # The trigger is already closed: the loop has ended or is ending.
            logger.debug("server.already_stopping")
