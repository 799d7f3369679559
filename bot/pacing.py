"""Spacing calls out under a rate limit, so a fan-out stays below it instead of meeting 429s."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Pacer:
    """At most `per_minute` calls a minute, evenly spaced, across all threads of the process.

    It paces real time (monotonic), whatever the application clock says: the limit is
    Slack's, counted in seconds that pass.
    """

    def __init__(
        self,
        per_minute: float,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = 60.0 / per_minute
        self._monotonic = monotonic
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot = 0.0

    def wait(self) -> None:
        """Block until this caller's turn; turns are handed out in order of asking."""
        with self._lock:
            now = self._monotonic()
            slot = max(self._next_slot, now)
            self._next_slot = slot + self._interval
        delay = slot - now
        if delay > 0:
            self._sleep(delay)
