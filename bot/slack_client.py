"""The Web API client: built with the retries that are safe, and what its failures mean
(rate limited, or possibly acted on by Slack) for the gateway and the job runner."""

from __future__ import annotations

import http.client
from datetime import timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator

RATE_LIMIT_RETRIES = 5
SERVER_ERROR_RETRIES = 3
CONNECTION_ERROR_RETRIES = 3


def build_retry_handlers(*, backoff_factor: float = 0.5) -> list[RetryHandler]:
    """Retry 429s after Slack's Retry-After, and 5xx and connection errors with backoff."""
    interval = BackoffRetryIntervalCalculator(backoff_factor=backoff_factor)
    return [
        ConnectionErrorRetryHandler(
            max_retry_count=CONNECTION_ERROR_RETRIES, interval_calculator=interval
        ),
        RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES, interval_calculator=interval),
    ]


# How long a Web API call may take before it counts as failed (slack-sdk's default).
TIMEOUT_SECONDS = 30


def build_web_client(
    *,
    token: str | None,
    base_url: str,
    retry_backoff_factor: float = 0.5,
    timeout: int = TIMEOUT_SECONDS,
) -> WebClient:
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=timeout,
        retry_handlers=build_retry_handlers(backoff_factor=retry_backoff_factor),
    )


def without_rate_limit_retries(client: WebClient) -> WebClient:
    """The same client for scheduled work: a 429 is raised at once instead of slept through,
    so the job runner can put the work back until Retry-After and free its thread."""
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        retry_handlers=[
            handler
            for handler in client.retry_handlers
            if not isinstance(handler, RateLimitErrorRetryHandler)
        ],
    )


# What a Web API call raises once its retries are spent: Slack's error answers, and
# connection failures and timeouts (URLError, TimeoutError and the like are OSErrors).
SLACK_FAILURES: tuple[type[Exception], ...] = (SlackApiError, OSError, http.client.HTTPException)


DEFAULT_RETRY_AFTER = timedelta(seconds=30)


def retry_after(error: SlackApiError) -> timedelta:
    headers = getattr(error.response, "headers", None) or {}
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return timedelta(seconds=max(int(str(value)), 1))
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER


def is_rate_limited(error: Exception) -> bool:
    """Slack answered 429: the caller should wait for Retry-After, not count a failure."""
    if not isinstance(error, SlackApiError):
        return False
    return getattr(error.response, "status_code", None) == 429


def describe_error(error: Exception) -> str:
    """One line for `jobs` and the log: Slack's error code rather than the SDK's preamble."""
    if isinstance(error, SlackApiError):
        code = error.response.get("error") if error.response is not None else None
        status = getattr(error.response, "status_code", None)
        return f"Slack answered {code or 'an error'} (HTTP {status})"
    return f"{type(error).__name__}: {error}"


def is_ambiguous(error: Exception) -> bool:
    """Whether Slack may have acted on a call that failed: the connection dropped or timed
    out after sending, or Slack answered 5xx. A 4xx (429 included) means it did not."""
    if isinstance(error, SlackApiError):
        status = getattr(error.response, "status_code", None)
        return isinstance(status, int) and status >= 500
    return isinstance(error, (OSError, http.client.HTTPException))
