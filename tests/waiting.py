"""Waiting on a condition in a test: checked often, failing only after a generous deadline, so
a busy machine makes a test slower, never red."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

WAIT_TIMEOUT_SECONDS = 30
RECHECK_SECONDS = 0.001


def wait_until(condition: Callable[[], object], *, timeout: float = WAIT_TIMEOUT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"condition not met within {timeout}s"
        threading.Event().wait(RECHECK_SECONDS)
