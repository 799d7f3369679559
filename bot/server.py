"""HTTP mode: Bolt's WSGI adapter at /slack/events and a health check, served by waitress."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
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


def create_http_server(pulsedesk: Pulsedesk, *, host: str, port: int) -> Any:
    """A production WSGI server; `.run()` serves, `.close()` stops, `.effective_port` tells."""
    return create_server(
        build_wsgi_app(pulsedesk),
        host=host,
        port=port,
        threads=SERVER_THREADS,
        max_request_body_size=MAX_REQUEST_BODY_BYTES,
        ident="pulsedesk",
    )
