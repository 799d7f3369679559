from __future__ import annotations

import threading

import pytest

from bot.pacing import Pacer


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.now += seconds


def test_calls_are_spaced_evenly_at_the_pace() -> None:
    clock = FakeTime()
    pacer = Pacer(120, monotonic=clock.monotonic, sleep=clock.sleep)
    for _ in range(5):
        pacer.wait()
    assert clock.slept == pytest.approx([0.5, 0.5, 0.5, 0.5])
    assert clock.now == pytest.approx(1002.0)


def test_time_already_passed_is_not_waited_again() -> None:
    clock = FakeTime()
    pacer = Pacer(60, monotonic=clock.monotonic, sleep=clock.sleep)
    pacer.wait()
    clock.now += 5
    pacer.wait()
    pacer.wait()
    assert clock.slept == pytest.approx([1.0])


def test_threads_share_one_pace() -> None:
    slept: list[float] = []
    lock = threading.Lock()

    def sleep(seconds: float) -> None:
        with lock:
            slept.append(seconds)

    # Time stands still, so each thread's wait is exactly its distance to its turn.
    pacer = Pacer(600, monotonic=lambda: 1000.0, sleep=sleep)
    threads = [threading.Thread(target=pacer.wait) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(slept) == pytest.approx([n / 10 for n in range(1, 10)])
