"""Durable jobs on a real database (SQLite, or TEST_DATABASE_URL): enqueue, claim, run, retry."""

from __future__ import annotations

import itertools
import logging
import threading
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse
from sqlalchemy import func, select

from bot import job_runner, jobs
from bot.db import SessionFactory
from bot.job_runner import (
    BACKOFF_BASE,
    BACKOFF_MAX,
    MAX_ATTEMPTS,
    MIN_DEFERRAL,
    JobRunner,
    RunSummary,
    backoff,
)
from bot.jobs import (
    LEASE,
    JobHandler,
    JobSnapshot,
    JobState,
    RunLater,
    cancel,
    claim_due,
    enqueue,
    list_jobs,
)
from bot.slack_client import DEFAULT_RETRY_AFTER, is_rate_limited, retry_after
from models import Job
from tests.fake_clock import FakeClock

TEAM = "T0TEST"
KIND = "test.kind"


class Recorder:
    """A handler that remembers every job it was given."""

    def __init__(self) -> None:
        self.calls: list[JobSnapshot] = []
        self._lock = threading.Lock()

    def __call__(self, job: JobSnapshot) -> None:
        with self._lock:
            self.calls.append(job)

    @property
    def keys(self) -> list[str]:
        return [job.unique_key for job in self.calls]


class Raising(Recorder):
    """A handler that records the job, then raises the next queued error (if any is left)."""

    def __init__(self, *errors: Exception) -> None:
        super().__init__()
        self.errors = list(errors)

    def __call__(self, job: JobSnapshot) -> None:
        super().__call__(job)
        if self.errors:
            raise self.errors.pop(0)


class GiveUpRecorder:
    def __init__(self) -> None:
        self.calls: list[tuple[JobSnapshot, str]] = []

    def __call__(self, job: JobSnapshot, message: str) -> None:
        self.calls.append((job, message))


def _enqueue(
    session_factory: SessionFactory,
    clock: FakeClock,
    key: str,
    *,
    due_at: datetime | None = None,
    kind: str = KIND,
    payload: dict[str, Any] | None = None,
) -> JobSnapshot:
    with session_factory.begin() as session:
        return enqueue(
            session=session,
            team_id=TEAM,
            kind=kind,
            unique_key=key,
            due_at=clock.now() if due_at is None else due_at,
            now=clock.now(),
            payload=payload,
        )


def _runner(
    session_factory: SessionFactory,
    clock: FakeClock,
    handlers: Mapping[str, JobHandler],
    **options: Any,
) -> JobRunner:
    return JobRunner(session_factory=session_factory, clock=clock, handlers=handlers, **options)


def _row(session_factory: SessionFactory, job_id: int) -> Job:
    with session_factory() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def _count(session_factory: SessionFactory) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(Job)) or 0


def _slack_error(status_code: int, headers: dict[str, Any] | None = None) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="u",
        req_args={},
        data={"ok": False, "error": "ratelimited" if status_code == 429 else "fatal_error"},
        headers={} if headers is None else headers,
        status_code=status_code,
    )
    return _api_error(response)


def _api_error(response: SlackResponse | None) -> SlackApiError:
    return SlackApiError("slack said no", response)  # type: ignore[no-untyped-call]


# --- enqueue ------------------------------------------------------------------------------------


def test_enqueue_twice_with_the_same_unique_key_keeps_the_first_job(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    first = _enqueue(session_factory, clock, "pulse:1", payload={"n": 1})
    again = _enqueue(
        session_factory,
        clock,
        "pulse:1",
        due_at=clock.now() + timedelta(hours=1),
        payload={"n": 2},
    )

    assert again.id == first.id
    assert again.payload == {"n": 1}
    assert again.due_at == first.due_at
    assert _count(session_factory) == 1


def test_enqueue_twice_in_one_transaction_keeps_one_row(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    with session_factory.begin() as session:
        snapshots = [
            enqueue(
                session=session,
                team_id=TEAM,
                kind=KIND,
                unique_key="pulse:1",
                due_at=clock.now(),
                now=clock.now(),
            )
            for _ in range(2)
        ]

    assert snapshots[0].id == snapshots[1].id
    assert _count(session_factory) == 1


def test_enqueue_with_different_keys_adds_two_jobs(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    first = _enqueue(session_factory, clock, "pulse:1")
    second = _enqueue(session_factory, clock, "pulse:2")

    assert first.id != second.id
    assert _count(session_factory) == 2


def test_enqueue_starts_pending_with_no_attempts(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    job = _enqueue(session_factory, clock, "pulse:1")

    assert job.state is JobState.PENDING
    assert job.attempts == 0
    assert job.last_error is None
    assert job.payload == {}
    assert job.team_id == TEAM
    assert job.kind == KIND


# --- running due jobs ---------------------------------------------------------------------------


def test_a_job_runs_once_when_due_and_never_before(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    job = _enqueue(
        session_factory,
        clock,
        "pulse:1",
        due_at=clock.now() + timedelta(minutes=10),
        payload={"request": 7},
    )
    handler = Recorder()
    runner = _runner(session_factory, clock, {KIND: handler})

    early = runner.run_due()
    clock.advance(timedelta(minutes=10) - timedelta(seconds=1))
    still_early = runner.run_due()

    assert handler.calls == []
    assert early == RunSummary()
    assert still_early == RunSummary()
    assert _row(session_factory, job.id).state == JobState.PENDING.value

    clock.advance(timedelta(seconds=1))
    summary = runner.run_due()

    assert summary == RunSummary(done=1)
    assert [(c.id, c.payload) for c in handler.calls] == [(job.id, {"request": 7})]
    row = _row(session_factory, job.id)
    assert row.state == JobState.DONE.value
    assert row.finished_at == clock.now()
    assert row.attempts == 0
    assert row.claim_token is None
    assert row.locked_until is None

    clock.advance(timedelta(hours=1))
    assert runner.run_due() == RunSummary()
    assert len(handler.calls) == 1


def test_the_handler_sees_the_job_running(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    job = _enqueue(session_factory, clock, "pulse:1")
    seen: list[str] = []

    def handler(snapshot: JobSnapshot) -> None:
        seen.append(_row(session_factory, snapshot.id).state)

    _runner(session_factory, clock, {KIND: handler}).run_due()

    assert seen == [JobState.RUNNING.value]
    assert _row(session_factory, job.id).state == JobState.DONE.value


@pytest.mark.parametrize("batch_size", [1, 2, 10])
def test_jobs_run_oldest_due_first(
    session_factory: SessionFactory, clock: FakeClock, batch_size: int
) -> None:
    now = clock.now()
    _enqueue(session_factory, clock, "c", due_at=now - timedelta(minutes=1))
    _enqueue(session_factory, clock, "a", due_at=now - timedelta(minutes=3))
    _enqueue(session_factory, clock, "later", due_at=now + timedelta(seconds=1))
    _enqueue(session_factory, clock, "d", due_at=now)
    _enqueue(session_factory, clock, "b", due_at=now - timedelta(minutes=2))
    _enqueue(session_factory, clock, "b2", due_at=now - timedelta(minutes=2))
    handler = Recorder()

    summary = _runner(session_factory, clock, {KIND: handler}, batch_size=batch_size).run_due()

    assert handler.keys == ["a", "b", "b2", "c", "d"]
    assert summary.done == 5


def test_claim_due_leases_at_most_limit_jobs_oldest_first(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    now = clock.now()
    for minutes, key in [(1, "c"), (3, "a"), (2, "b")]:
        _enqueue(session_factory, clock, key, due_at=now - timedelta(minutes=minutes))

    with session_factory.begin() as session:
        token, claimed = claim_due(session=session, now=now, limit=2)

    assert [job.unique_key for job in claimed] == ["a", "b"]
    assert all(job.state is JobState.RUNNING for job in claimed)
    for job in claimed:
        row = _row(session_factory, job.id)
        assert row.claim_token == token
        assert row.locked_until == now + LEASE
    with session_factory.begin() as session:
        other_token, rest = claim_due(session=session, now=now, limit=2)
    assert other_token != token
    assert [job.unique_key for job in rest] == ["c"]


def test_claim_due_claims_no_more_than_the_limit(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    now = clock.now()
    for n in range(5):
        _enqueue(session_factory, clock, f"job:{n}", due_at=now - timedelta(minutes=10 - n))

    with session_factory.begin() as session:
        _, claimed = claim_due(session=session, now=now, limit=2)

    assert [job.unique_key for job in claimed] == ["job:0", "job:1"]
    with session_factory() as session:
        running = list_jobs(session=session, states=(JobState.RUNNING,))
    assert [job.unique_key for job in running] == ["job:0", "job:1"]


def test_a_runner_leases_one_batch_at_a_time(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    now = clock.now()
    for n in range(5):
        _enqueue(session_factory, clock, f"job:{n}", due_at=now - timedelta(minutes=10 - n))
    leased: list[int] = []

    def handler(job: JobSnapshot) -> None:
        with session_factory() as session:
            leased.append(len(list_jobs(session=session, states=(JobState.RUNNING,))))

    summary = _runner(session_factory, clock, {KIND: handler}, batch_size=2).run_due()

    assert summary == RunSummary(done=5)
    assert leased == [2, 1, 2, 1, 1]


# --- failures, retries, giving up ---------------------------------------------------------------


def test_a_failing_job_is_retried_with_backoff_then_failed_and_given_up(
    session_factory: SessionFactory, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    job = _enqueue(session_factory, clock, "pulse:1")
    handler = Raising(*(RuntimeError("boom") for _ in range(3)))
    give_up = GiveUpRecorder()
    runner = _runner(
        session_factory, clock, {KIND: handler}, give_up={KIND: give_up}, max_attempts=3
    )

    first = runner.run_due()

    assert first == RunSummary(retrying=1)
    row = _row(session_factory, job.id)
    assert row.state == JobState.PENDING.value
    assert row.attempts == 1
    assert row.last_error == "RuntimeError: boom"
    assert row.due_at == clock.now() + backoff(1)
    assert row.finished_at is None
    assert row.claim_token is None

    assert runner.run_due() == RunSummary()
    clock.advance(backoff(1) - timedelta(seconds=1))
    assert runner.run_due() == RunSummary()
    assert len(handler.calls) == 1

    clock.advance(timedelta(seconds=1))
    assert runner.run_due() == RunSummary(retrying=1)
    row = _row(session_factory, job.id)
    assert row.attempts == 2
    assert row.due_at == clock.now() + backoff(2)
    assert give_up.calls == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

    clock.advance(backoff(2))
    with caplog.at_level(logging.INFO, logger="bot.job_runner"):
        last = runner.run_due()

    assert last == RunSummary(failed=1)
    row = _row(session_factory, job.id)
    assert row.state == JobState.FAILED.value
    assert row.attempts == 3
    assert row.last_error == "RuntimeError: boom"
    assert row.finished_at == clock.now()
    assert len(give_up.calls) == 1
    given_up_job, message = give_up.calls[0]
    assert (given_up_job.id, given_up_job.kind, given_up_job.unique_key) == (
        job.id,
        KIND,
        "pulse:1",
    )
    assert message == "RuntimeError: boom"
    failed_logs = [
        r for r in caplog.records if r.levelno == logging.ERROR and r.getMessage() == "job.failed"
    ]
    assert len(failed_logs) == 1
    assert failed_logs[0].name == "bot.job_runner"
    assert failed_logs[0].__dict__["job_id"] == job.id
    assert failed_logs[0].__dict__["attempts"] == 3

    clock.advance(BACKOFF_MAX * 2)
    assert runner.run_due() == RunSummary()
    assert len(handler.calls) == 3
    assert len(give_up.calls) == 1


def test_a_failed_job_without_a_give_up_hook_is_still_recorded(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    job = _enqueue(session_factory, clock, "pulse:1")
    handler = Raising(ValueError("bad payload"))

    summary = _runner(session_factory, clock, {KIND: handler}, max_attempts=1).run_due()

    assert summary == RunSummary(failed=1)
    row = _row(session_factory, job.id)
    assert row.state == JobState.FAILED.value
    assert row.last_error == "ValueError: bad payload"


def test_a_long_error_is_cut_to_the_limit(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    job = _enqueue(session_factory, clock, "pulse:1")
    handler = Raising(RuntimeError("x" * (job_runner.ERROR_TEXT_MAX * 2)))

    _runner(session_factory, clock, {KIND: handler}).run_due()

    last_error = _row(session_factory, job.id).last_error
    assert last_error is not None
    assert len(last_error) == job_runner.ERROR_TEXT_MAX
    assert last_error.startswith("RuntimeError: xxx")


def test_one_failing_job_does_not_stop_the_rest_of_the_batch(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    now = clock.now()
    bad = _enqueue(session_factory, clock, "bad", due_at=now - timedelta(minutes=2))
    good = _enqueue(session_factory, clock, "good", due_at=now - timedelta(minutes=1))
    handler = Raising(RuntimeError("boom"))

    summary = _runner(session_factory, clock, {KIND: handler}).run_due()

    assert summary == RunSummary(done=1, retrying=1)
    assert handler.keys == ["bad", "good"]
    assert _row(session_factory, bad.id).state == JobState.PENDING.value
    assert _row(session_factory, good.id).state == JobState.DONE.value


def test_an_unknown_kind_counts_as_a_failure(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    now = clock.now()
    stray = _enqueue(
        session_factory, clock, "stray", kind="mystery", due_at=now - timedelta(minutes=1)
    )
    known = _enqueue(session_factory, clock, "known")
    handler = Recorder()
    runner = _runner(session_factory, clock, {KIND: handler}, max_attempts=2)

    assert runner.run_due() == RunSummary(done=1, retrying=1)
    row = _row(session_factory, stray.id)
    assert row.state == JobState.PENDING.value
    assert row.attempts == 1
    assert row.last_error is not None
    assert "LookupError" in row.last_error
    assert "mystery" in row.last_error
    assert handler.keys == ["known"]
    assert _row(session_factory, known.id).state == JobState.DONE.value

    clock.advance(backoff(1))
    assert runner.run_due() == RunSummary(failed=1)
    row = _row(session_factory, stray.id)
    assert row.state == JobState.FAILED.value
    assert row.attempts == 2


# --- Slack errors -------------------------------------------------------------------------------


def test_a_rate_limited_job_puts_back_the_rest_of_its_batch_until_retry_after(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    now = clock.now()
    created = [
        _enqueue(session_factory, clock, key, due_at=now - timedelta(minutes=minutes))
        for minutes, key in [(3, "a"), (2, "b"), (1, "c")]
    ]
    handler = Raising(_slack_error(429, {"Retry-After": "7"}))
    runner = _runner(session_factory, clock, {KIND: handler})

    summary = runner.run_due()

    retry_at = now + timedelta(seconds=7)
    assert summary.rate_limited_until == retry_at
    assert summary.ran == 0
    assert summary.deferred == 3
    assert handler.keys == ["a"]
    for job in created:
        row = _row(session_factory, job.id)
        assert row.state == JobState.PENDING.value
        assert row.due_at == retry_at
        assert row.attempts == 0
        assert row.last_error is None
        assert row.claim_token is None
        assert row.locked_until is None

    assert runner.run_due() == RunSummary()
    clock.advance(timedelta(seconds=6))
    assert runner.run_due() == RunSummary()
    assert handler.keys == ["a"]

    clock.advance(timedelta(seconds=1))
    after = runner.run_due()

    assert after == RunSummary(done=3)
    assert handler.keys == ["a", "a", "b", "c"]
    assert Counter(handler.keys[1:]) == Counter({"a": 1, "b": 1, "c": 1})
    for job in created:
        row = _row(session_factory, job.id)
        assert row.state == JobState.DONE.value
        assert row.attempts == 0

    clock.advance(timedelta(hours=1))
    assert runner.run_due() == RunSummary()
    assert len(handler.calls) == 4


def test_a_rate_limited_run_claims_no_further_batch(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    now = clock.now()
    created = [
        _enqueue(session_factory, clock, f"job:{n}", due_at=now - timedelta(minutes=10 - n))
        for n in range(5)
    ]
    handler = Raising(_slack_error(429, {"Retry-After": "7"}))

    summary = _runner(session_factory, clock, {KIND: handler}, batch_size=2).run_due()

    assert summary.rate_limited_until == now + timedelta(seconds=7)
    assert summary.deferred == 2
    assert handler.keys == ["job:0"]
    for job in created:
        row = _row(session_factory, job.id)
        assert row.state == JobState.PENDING.value
        assert row.attempts == 0
    assert [_row(session_factory, job.id).due_at for job in created[:2]] == [
        now + timedelta(seconds=7)
    ] * 2


def test_a_rate_limit_without_retry_after_waits_the_default(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    job = _enqueue(session_factory, clock, "pulse:1")
    handler = Raising(_slack_error(429))

    summary = _runner(session_factory, clock, {KIND: handler}).run_due()

    assert summary.rate_limited_until == clock.now() + DEFAULT_RETRY_AFTER
    row = _row(session_factory, job.id)
    assert row.due_at == clock.now() + DEFAULT_RETRY_AFTER
    assert row.attempts == 0


def test_a_slack_server_error_counts_as_an_attempt(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    job = _enqueue(session_factory, clock, "pulse:1")
    handler = Raising(_slack_error(500, {"Retry-After": "7"}))

    summary = _runner(session_factory, clock, {KIND: handler}).run_due()

    assert summary == RunSummary(retrying=1)
    assert summary.rate_limited_until is None
    row = _row(session_factory, job.id)
    assert row.state == JobState.PENDING.value
    assert row.attempts == 1
    assert row.due_at == clock.now() + backoff(1)
    assert row.last_error is not None
    assert row.last_error == "Slack answered fatal_error (HTTP 500)"


# --- RunLater -----------------------------------------------------------------------------------


def test_run_later_puts_the_job_back_without_counting_an_attempt(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    job = _enqueue(session_factory, clock, "pulse:1")
    until = clock.now() + timedelta(hours=2)
    handler = Raising(RunLater(until, "outside working hours"))
    runner = _runner(session_factory, clock, {KIND: handler})

    summary = runner.run_due()

    assert summary == RunSummary(deferred=1)
    row = _row(session_factory, job.id)
    assert row.state == JobState.PENDING.value
    assert row.due_at == until
    assert row.attempts == 0
    assert row.last_error is None
    assert row.claim_token is None

    clock.advance(timedelta(hours=2) - timedelta(seconds=1))
    assert runner.run_due() == RunSummary()
    clock.advance(timedelta(seconds=1))
    assert runner.run_due() == RunSummary(done=1)
    assert len(handler.calls) == 2
    assert _row(session_factory, job.id).state == JobState.DONE.value


def test_run_later_in_the_past_still_moves_the_job_ahead(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    job = _enqueue(session_factory, clock, "pulse:1")
    handler = Raising(
        RunLater(clock.now() - timedelta(hours=1), "stale"),
        RunLater(clock.now() - timedelta(hours=1), "stale"),
    )
    runner = _runner(session_factory, clock, {KIND: handler})

    summary = runner.run_due()

    assert summary == RunSummary(deferred=1)
    assert len(handler.calls) == 1
    row = _row(session_factory, job.id)
    assert row.state == JobState.PENDING.value
    assert row.due_at >= clock.now() + MIN_DEFERRAL
    assert row.attempts == 0

    assert runner.run_due() == RunSummary()
    clock.advance(row.due_at - clock.now())
    assert runner.run_due() == RunSummary(deferred=1)
    assert len(handler.calls) == 2


def test_run_later_now_does_not_spin(session_factory: SessionFactory, clock: FakeClock) -> None:
    _enqueue(session_factory, clock, "pulse:1")
    calls = Recorder()

    def handler(job: JobSnapshot) -> None:
        calls(job)
        raise RunLater(clock.now(), "not yet")

    summary = _runner(session_factory, clock, {KIND: handler}).run_due()

    assert summary == RunSummary(deferred=1)
    assert len(calls.calls) == 1


# --- cancel -------------------------------------------------------------------------------------


def test_a_cancelled_job_never_runs(session_factory: SessionFactory, clock: FakeClock) -> None:
    job = _enqueue(session_factory, clock, "pulse:1", due_at=clock.now() + timedelta(minutes=5))
    handler = Recorder()

    with session_factory.begin() as session:
        assert cancel(session=session, unique_key="pulse:1", now=clock.now()) is True

    row = _row(session_factory, job.id)
    assert row.state == JobState.CANCELLED.value
    assert row.finished_at == clock.now()
    clock.advance(timedelta(hours=1))
    assert _runner(session_factory, clock, {KIND: handler}).run_due() == RunSummary()
    assert handler.calls == []
    with session_factory.begin() as session:
        assert cancel(session=session, unique_key="pulse:1", now=clock.now()) is False


def test_take_leases_a_pending_job_ahead_of_its_time_once(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    job = _enqueue(session_factory, clock, "notify:1", due_at=clock.now() + timedelta(minutes=1))
    with session_factory.begin() as session:
        taken = jobs.take(session=session, unique_key="notify:1", now=clock.now())
    with session_factory.begin() as session:
        again = jobs.take(session=session, unique_key="notify:1", now=clock.now())
    assert taken is not None
    assert again is None
    taken_job, token = taken
    row = _row(session_factory, job.id)
    assert (taken_job.id, row.state, row.claim_token) == (job.id, "running", token)
    assert row.locked_until == clock.now() + LEASE

    # No runner takes it while the lease holds, even once it falls due; after, one does.
    handler = Recorder()
    runner = _runner(session_factory, clock, {KIND: handler})
    clock.advance(timedelta(minutes=2))
    assert runner.run_due() == RunSummary()
    clock.advance(LEASE)
    assert runner.run_due() == RunSummary(done=1)
    assert [c.id for c in handler.calls] == [job.id]


def test_cancel_returns_false_for_a_done_job(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    job = _enqueue(session_factory, clock, "pulse:1")
    _runner(session_factory, clock, {KIND: Recorder()}).run_due()

    with session_factory.begin() as session:
        assert cancel(session=session, unique_key="pulse:1", now=clock.now()) is False

    assert _row(session_factory, job.id).state == JobState.DONE.value


def test_cancel_returns_false_for_an_unknown_key(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    with session_factory.begin() as session:
        assert cancel(session=session, unique_key="nothing", now=clock.now()) is False


def test_cancel_leaves_a_running_job_alone(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    job = _enqueue(session_factory, clock, "pulse:1")
    with session_factory.begin() as session:
        claim_due(session=session, now=clock.now(), limit=1)

    with session_factory.begin() as session:
        assert cancel(session=session, unique_key="pulse:1", now=clock.now()) is False

    assert _row(session_factory, job.id).state == JobState.RUNNING.value


# --- leases -------------------------------------------------------------------------------------


def test_a_dead_runners_job_is_run_again_once_its_lease_runs_out(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    job = _enqueue(session_factory, clock, "pulse:1")
    with session_factory.begin() as session:
        dead_token, [dead_claim] = claim_due(session=session, now=clock.now(), limit=10)
    handler = Recorder()
    runner = _runner(session_factory, clock, {KIND: handler})

    assert runner.run_due() == RunSummary()
    clock.advance(LEASE)
    assert runner.run_due() == RunSummary()
    assert handler.calls == []
    assert _row(session_factory, job.id).state == JobState.RUNNING.value

    clock.advance(timedelta(seconds=1))
    assert runner.run_due() == RunSummary(done=1)
    assert [c.id for c in handler.calls] == [job.id]
    row = _row(session_factory, job.id)
    assert row.state == JobState.DONE.value
    assert row.attempts == 1  # the dead runner's try counts
    done_at = row.finished_at

    clock.advance(timedelta(seconds=1))
    with session_factory.begin() as session:
        late = jobs.finish(
            session,
            dead_claim,
            dead_token,
            clock.now(),
            state=JobState.PENDING.value,
            attempts=dead_claim.attempts + 1,
            last_error="late",
        )
    assert late is False
    row = _row(session_factory, job.id)
    assert row.state == JobState.DONE.value
    assert row.finished_at == done_at
    assert row.attempts == 1
    assert row.last_error is None

    clock.advance(LEASE * 2)
    assert runner.run_due() == RunSummary()
    assert len(handler.calls) == 1


def _add_claimed(session_factory: SessionFactory, clock: FakeClock) -> tuple[JobSnapshot, str]:
    with session_factory.begin() as session:
        [claimed] = jobs.add_claimed(
            session=session,
            new=[jobs.NewJob(team_id=TEAM, kind=KIND, payload={})],
            now=clock.now(),
            lease=LEASE,
        )
        return claimed


def test_a_claimed_job_that_waited_out_its_lease_runs_only_where_it_was_taken_over(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    job, token = _add_claimed(session_factory, clock)
    leased_until = clock.now() + LEASE
    handler = Recorder()
    runner = _runner(session_factory, clock, {KIND: handler})

    # Its thread is busy for longer than the lease; meanwhile a tick takes the job over.
    clock.advance(LEASE + timedelta(seconds=1))
    assert runner.run_due() == RunSummary(done=1)
    assert runner.run_claimed(job, token, leased_until=leased_until) == RunSummary()
    assert [c.id for c in handler.calls] == [job.id]


def test_a_claimed_job_that_waited_half_its_lease_renews_it_before_running(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    job, token = _add_claimed(session_factory, clock)
    leased_until = clock.now() + LEASE
    started_at: list[datetime | None] = []
    runner = _runner(
        session_factory,
        clock,
        {KIND: lambda job: started_at.append(_row(session_factory, job.id).locked_until)},
    )

    clock.advance(LEASE * 0.75)
    assert runner.run_claimed(job, token, leased_until=leased_until) == RunSummary(done=1)
    # Run under a full lease from when it started, so no tick could take it meanwhile.
    assert started_at == [clock.now() + LEASE]


def test_a_claimed_job_run_at_once_keeps_the_lease_it_was_added_with(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    job, token = _add_claimed(session_factory, clock)
    leased_until = clock.now() + LEASE
    started_at: list[datetime | None] = []
    runner = _runner(
        session_factory,
        clock,
        {KIND: lambda job: started_at.append(_row(session_factory, job.id).locked_until)},
    )

    clock.advance(timedelta(seconds=1))
    assert runner.run_claimed(job, token, leased_until=leased_until) == RunSummary(done=1)
    assert started_at == [leased_until]


def test_a_stale_token_cannot_finish_a_job_claimed_again(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    job = _enqueue(session_factory, clock, "pulse:1")
    with session_factory.begin() as session:
        dead_token, [dead_claim] = claim_due(session=session, now=clock.now(), limit=1)
    clock.advance(LEASE + timedelta(seconds=1))
    with session_factory.begin() as session:
        live_token, [live_claim] = claim_due(session=session, now=clock.now(), limit=1)
    assert live_token != dead_token
    assert live_claim.id == dead_claim.id == job.id

    with session_factory.begin() as session:
        stale = jobs.finish(session, dead_claim, dead_token, clock.now(), state=JobState.DONE.value)
    assert stale is False
    row = _row(session_factory, job.id)
    assert row.state == JobState.RUNNING.value
    assert row.claim_token == live_token

    with session_factory.begin() as session:
        live = jobs.finish(
            session,
            live_claim,
            live_token,
            clock.now(),
            state=JobState.DONE.value,
            finished_at=clock.now(),
        )
    assert live is True
    assert _row(session_factory, job.id).state == JobState.DONE.value


# --- concurrency --------------------------------------------------------------------------------


def test_concurrent_runners_run_every_job_exactly_once(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    runners_count = 4
    now = clock.now()
    created = [
        _enqueue(session_factory, clock, f"job:{n}", due_at=now - timedelta(seconds=n))
        for n in range(60)
    ]
    recorded: list[int] = []
    working: set[int] = set()
    finished: set[int] = set()
    gate = threading.Condition()
    start = threading.Barrier(runners_count, timeout=30)

    def everyone_arrived() -> bool:
        return len(working | finished) == runners_count

    def handler(job: JobSnapshot) -> None:
        me = threading.get_ident()
        with gate:
            if me not in working:
                working.add(me)
                gate.notify_all()
                assert gate.wait_for(everyone_arrived, timeout=30)
        total = 0
        for i in range(20_000):
            total += i
        with gate:
            recorded.append(job.id)

    def run() -> RunSummary:
        runner = _runner(session_factory, clock, {KIND: handler}, batch_size=5)
        start.wait()
        try:
            return runner.run_due()
        finally:
            with gate:
                finished.add(threading.get_ident())
                gate.notify_all()

    with ThreadPoolExecutor(max_workers=runners_count) as pool:
        futures = [pool.submit(run) for _ in range(runners_count)]
        summaries = [future.result(timeout=120) for future in futures]

    counts = Counter(recorded)
    assert sorted(counts) == sorted(job.id for job in created)
    assert set(counts.values()) == {1}
    assert sum(s.done for s in summaries) == 60
    assert all(s.retrying == s.failed == s.deferred == 0 for s in summaries)
    with session_factory() as session:
        states = session.scalars(select(Job.state)).all()
    assert Counter(states) == Counter({JobState.DONE.value: 60})


# --- backoff and Retry-After --------------------------------------------------------------------


def test_backoff_doubles_from_the_base_up_to_the_cap() -> None:
    delays = [backoff(n) for n in range(1, 16)]

    assert delays[0] == BACKOFF_BASE
    assert delays[:5] == [BACKOFF_BASE * m for m in (1, 2, 4, 8, 16)]
    for previous, current in itertools.pairwise(delays):
        assert current == min(previous * 2, BACKOFF_MAX)
    assert max(delays) == BACKOFF_MAX
    assert delays[-1] == BACKOFF_MAX


def test_backoff_before_any_attempt_is_the_base() -> None:
    assert backoff(0) == BACKOFF_BASE


@pytest.mark.parametrize("attempts", [43, 100])
def test_backoff_stays_capped_for_many_attempts(attempts: int) -> None:
    assert backoff(attempts) == BACKOFF_MAX


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "7"}, timedelta(seconds=7)),
        ({"retry-after": "12"}, timedelta(seconds=12)),
        ({"Retry-After": ["9"]}, timedelta(seconds=9)),
        ({"Retry-After": "0"}, timedelta(seconds=1)),
        ({"Retry-After": "-5"}, timedelta(seconds=1)),
        ({}, DEFAULT_RETRY_AFTER),
        ({"Retry-After": ""}, DEFAULT_RETRY_AFTER),
        ({"Retry-After": "soon"}, DEFAULT_RETRY_AFTER),
        ({"Retry-After": []}, DEFAULT_RETRY_AFTER),
        ({"Retry-After": None}, DEFAULT_RETRY_AFTER),
    ],
)
def test_retry_after_reads_the_header(headers: dict[str, Any], expected: timedelta) -> None:
    assert retry_after(_slack_error(429, headers)) == expected


def test_retry_after_without_a_response_is_the_default() -> None:
    assert retry_after(_api_error(None)) == DEFAULT_RETRY_AFTER


def test_retry_after_is_never_under_a_second() -> None:
    assert retry_after(_slack_error(429, {"Retry-After": "0"})) >= timedelta(seconds=1)


def test_is_rate_limited_only_for_slack_429() -> None:
    assert is_rate_limited(_slack_error(429, {"Retry-After": "7"})) is True
    assert is_rate_limited(_slack_error(500)) is False
    assert is_rate_limited(RuntimeError("429")) is False
    assert is_rate_limited(_api_error(None)) is False


# --- list_jobs ----------------------------------------------------------------------------------


def test_list_jobs_returns_only_the_requested_states_in_due_order(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    now = clock.now()
    _enqueue(session_factory, clock, "done", due_at=now - timedelta(minutes=5))
    _enqueue(session_factory, clock, "failed", due_at=now - timedelta(minutes=4))
    _enqueue(session_factory, clock, "pending-late", due_at=now + timedelta(hours=2))
    _enqueue(session_factory, clock, "pending-soon", due_at=now + timedelta(hours=1))
    _enqueue(session_factory, clock, "cancelled", due_at=now + timedelta(minutes=30))
    _enqueue(session_factory, clock, "pending-same", due_at=now + timedelta(hours=1))
    with session_factory.begin() as session:
        cancel(session=session, unique_key="cancelled", now=now)
    handler = Recorder()

    def fail_one(job: JobSnapshot) -> None:
        handler(job)
        if job.unique_key == "failed":
            raise RuntimeError("boom")

    _runner(session_factory, clock, {KIND: fail_one}, max_attempts=1).run_due()
    assert handler.keys == ["done", "failed"]

    with session_factory() as session:
        pending = list_jobs(session=session, states=(JobState.PENDING,))
        finished = list_jobs(
            session=session, states=(JobState.CANCELLED, JobState.DONE, JobState.FAILED)
        )
        running = list_jobs(session=session, states=(JobState.RUNNING,))
        nothing = list_jobs(session=session, states=())

    assert [job.unique_key for job in pending] == ["pending-soon", "pending-same", "pending-late"]
    assert all(job.state is JobState.PENDING for job in pending)
    assert [(job.unique_key, job.state) for job in finished] == [
        ("done", JobState.DONE),
        ("failed", JobState.FAILED),
        ("cancelled", JobState.CANCELLED),
    ]
    assert running == []
    assert nothing == []


def test_a_job_whose_runner_keeps_dying_fails_instead_of_running_forever(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    with session_factory.begin() as session:
        enqueue(
            session=session,
            team_id=TEAM,
            kind=KIND,
            unique_key="crashes",
            due_at=clock.now(),
            now=clock.now(),
        )
    for _ in range(MAX_ATTEMPTS):
        with session_factory.begin() as session:
            _, claimed = claim_due(session=session, now=clock.now(), limit=1)
        assert len(claimed) == 1
        clock.advance(LEASE + timedelta(seconds=1))
    handler = Recorder()
    runner = JobRunner(session_factory=session_factory, clock=clock, handlers={KIND: handler})

    summary = runner.run_due()

    assert summary.failed == 1
    assert handler.calls == []
    with session_factory() as session:
        row = session.scalars(select(Job)).one()
    assert row.state == JobState.FAILED.value
    assert row.attempts == MAX_ATTEMPTS
    assert row.last_error == f"RuntimeError: the process running it stopped {MAX_ATTEMPTS} times"
