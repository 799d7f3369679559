"""Acks that arrive together share one write (bot/intake.py): each still gets its own job, a bad
payload costs only its own ack, and none waits for ever."""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import OperationalError

from bot import intake
from bot.intake import Accepted, GroupCommit
from bot.jobs import JobSnapshot, JobState, NewJob
from tests.waiting import WAIT_TIMEOUT_SECONDS, wait_until


def _asked(name: str) -> NewJob:
    return NewJob(team_id="T1", kind="slack.test", payload={"body": {"name": name}})


class Recorder:
    """A write that records each group and, while `gate` is closed, holds the first one."""

    def __init__(self, *, refuse: str | None = None) -> None:
        self.groups: list[list[str]] = []
        self.gate = threading.Event()
        self.writing = threading.Event()
        self._refuse = refuse

    def __call__(self, group: list[NewJob]) -> list[Accepted]:
        names = [job.payload["body"]["name"] for job in group]
        self.groups.append(names)
        self.writing.set()
        assert self.gate.wait(WAIT_TIMEOUT_SECONDS)
        if self._refuse in names:
            raise ValueError("cannot store this payload")
        return [_accepted(name) for name in names]


def _accepted(name: str) -> Accepted:
    now = datetime(2026, 11, 30, tzinfo=UTC)
    job = JobSnapshot(
        id=1,
        team_id="T1",
        kind="slack.test",
        payload={"body": {"name": name}},
        unique_key=f"slack.test:{name}",
        state=JobState.RUNNING,
        due_at=now,
        attempts=0,
        last_error=None,
    )
    return Accepted(job=job, token=name, leased_until=now)


def _submit_while_first_is_written(
    commit: GroupCommit, recorder: Recorder, names: list[str], pool: ThreadPoolExecutor
) -> dict[str, Future[Accepted]]:
    """The first name is being written while the others arrive: they wait for the next write."""
    futures = {names[0]: pool.submit(commit.submit, _asked(names[0]))}
    assert recorder.writing.wait(WAIT_TIMEOUT_SECONDS)
    for name in names[1:]:
        futures[name] = pool.submit(commit.submit, _asked(name))
    wait_until(lambda: len(commit._waiting) == len(names) - 1)
    recorder.gate.set()
    return futures


def _tokens(futures: dict[str, Future[Accepted]]) -> dict[str, str]:
    return {name: future.result(WAIT_TIMEOUT_SECONDS).token for name, future in futures.items()}


def test_acks_that_arrive_during_a_write_share_the_next_one() -> None:
    recorder = Recorder()
    commit = GroupCommit(recorder)
    names = ["first", "b", "c", "d", "e"]
    with ThreadPoolExecutor(len(names)) as pool:
        futures = _submit_while_first_is_written(commit, recorder, names, pool)
        tokens = _tokens(futures)

    assert tokens == {name: name for name in names}
    assert recorder.groups[0] == ["first"]
    assert sorted(recorder.groups[1]) == ["b", "c", "d", "e"]
    assert len(recorder.groups) == 2


def test_a_payload_that_cannot_be_stored_fails_only_its_own_ack() -> None:
    recorder = Recorder(refuse="bad")
    commit = GroupCommit(recorder)
    names = ["first", "b", "bad", "d"]
    with ThreadPoolExecutor(len(names)) as pool:
        futures = _submit_while_first_is_written(commit, recorder, names, pool)
        with pytest.raises(ValueError, match="cannot store"):
            futures["bad"].result(WAIT_TIMEOUT_SECONDS)
        del futures["bad"]
        stored = _tokens(futures)

    assert stored == {"first": "first", "b": "b", "d": "d"}
    # The shared write failed, so each of its jobs was written again on its own.
    assert sorted(recorder.groups[1]) == ["b", "bad", "d"]
    assert sorted(name for group in recorder.groups[2:] for name in group) == ["b", "bad", "d"]
    assert all(len(group) == 1 for group in recorder.groups[2:])


def test_a_burst_beyond_one_writes_limit_is_written_in_several(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(intake, "GROUP_COMMIT_LIMIT", 2)
    recorder = Recorder()
    commit = GroupCommit(recorder)
    names = ["first", "b", "c", "d", "e", "f"]
    with ThreadPoolExecutor(len(names)) as pool:
        futures = _submit_while_first_is_written(commit, recorder, names, pool)
        tokens = _tokens(futures)

    assert tokens == {name: name for name in names}
    assert [len(group) for group in recorder.groups] == [1, 2, 2, 1]
    assert sorted(name for group in recorder.groups for name in group) == sorted(names)


class Interrupted(BaseException):
    """Not an Exception: what a KeyboardInterrupt or a thread's exit looks like."""


def test_a_write_stopped_by_anything_fails_its_whole_group_and_frees_the_next() -> None:
    recorder = Recorder(refuse="never")
    stopped = {"first": False}

    def write(group: list[NewJob]) -> list[Accepted]:
        names = [job.payload["body"]["name"] for job in group]
        if "b" in names and not stopped["first"]:
            stopped["first"] = True
            raise Interrupted
        return recorder(group)

    commit = GroupCommit(write)
    names = ["first", "b", "c"]
    with ThreadPoolExecutor(len(names) + 1) as pool:
        futures = _submit_while_first_is_written(commit, recorder, names, pool)
        assert futures["first"].result(WAIT_TIMEOUT_SECONDS).token == "first"
        for name in ("b", "c"):
            with pytest.raises(Interrupted):
                futures[name].result(WAIT_TIMEOUT_SECONDS)
        # The next ack is not left waiting behind a write that never finished.
        later = pool.submit(commit.submit, _asked("later"))
        assert later.result(WAIT_TIMEOUT_SECONDS).token == "later"


def test_a_locked_database_fails_the_group_at_once_without_trying_each_job() -> None:
    recorder = Recorder(refuse="never")
    attempts: list[list[str]] = []

    def write(group: list[NewJob]) -> list[Accepted]:
        names = [job.payload["body"]["name"] for job in group]
        attempts.append(names)
        if names != ["first"]:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return recorder(group)

    commit = GroupCommit(write)
    names = ["first", "b", "c", "d"]
    with ThreadPoolExecutor(len(names)) as pool:
        futures = _submit_while_first_is_written(commit, recorder, names, pool)
        for name in ("b", "c", "d"):
            with pytest.raises(OperationalError):
                futures[name].result(WAIT_TIMEOUT_SECONDS)
    assert len(attempts) == 2
