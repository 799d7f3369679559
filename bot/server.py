"""HTTP mode: Bolt's WSGI adapter at /slack/events and a health check, served by waitress."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from waitress import wasyncore
from waitress.server import create_server

from bot.app import Pulsedesk

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
SERVER_THREADS = 8
MAX_REQUEST_BODY_BYTES = 2 * 1024 * 1024


def _json(start_response: StartResponse, status: str, payload: dict[str, Any]) -> Iterable[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def build_wsgi_app(pulsedesk: Pulsedesk) -> WSGIApplication:
    slack_handler = SlackRequestHandler(pulsedesk.app, path=EVENTS_PATH)

    def pulsedesk_wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            try:
                with pulsedesk.session_factory() as session:
                    session.execute(text("SELECT 1"))
            except SQLAlchemyError:
                logger.exception("health.database_unavailable")
                return _json(start_response, "503 Service Unavailable", {"status": "unhealthy"})
            return _json(start_response, "200 OK", {"status": "ok"})
        if path == EVENTS_PATH:
            return slack_handler(environ, start_response)
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
