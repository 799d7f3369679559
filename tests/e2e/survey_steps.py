"""Steps of the satisfaction flows: resolve, react, click and wait until the bot is done."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from models import Job, Request, SatisfactionPulse, SurveyMessage
from tests.e2e.conftest import Desk
from tests.e2e.slack_client import HttpResult
from tests.fake_slack import Call

DELAY = timedelta(seconds=1800)
SETTLE_TIMEOUT_SECONDS = 10.0


class ListenerWork:
    """Tracks the work listeners run after the ack (jobs on the workers, forms on their own
    threads), so a test can wait for it."""

    def __init__(self, *executors: ThreadPoolExecutor) -> None:
        self._futures: list[Future[Any]] = []
        self._lock = threading.Lock()
        for executor in executors:
            self._track(executor)

    def _track(self, executor: ThreadPoolExecutor) -> None:
        submit = executor.submit

        def tracked(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
            future = submit(fn, *args, **kwargs)
            with self._lock:
                self._futures.append(future)
            return future

        executor.submit = tracked  # type: ignore[method-assign]

    def settle(self) -> None:
        with self._lock:
            pending = list(self._futures)
        _, not_done = wait(pending, timeout=SETTLE_TIMEOUT_SECONDS)
        assert not not_done, f"{len(not_done)} listener(s) still running"


class Survey:
    """Drives the desk as a requester and an agent would, waiting for each step to finish."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.work = ListenerWork(desk.pulsedesk.listener_executor, desk.pulsedesk.services.forms)

    def settle(self) -> None:
        self.work.settle()

    def file(self, *filings: tuple[str, str]) -> list[Request]:
        """File (text, requester) requests through the slash command, all at once; returns
        the new requests in the order they were filed."""
        with self.desk.session_factory() as session:
            known = set(session.scalars(select(Request.id)))
        for text, user in filings:
            assert self.desk.slack.slash_command(text, user=user).status == 200
        self.settle()
        with self.desk.session_factory() as session:
            filed = [
                r
                for r in session.scalars(select(Request).order_by(Request.id))
                if r.id not in known
            ]
        assert len(filed) == len(filings)
        assert all(r.card_ts for r in filed)
        return [
            next(r for r in filed if r.requester_id == user and text.endswith(r.text))
            for text, user in filings
        ]

    def resolve_all(self, requests: list[Request], agent: str = "U0AGENT1") -> None:
        for request in requests:
            result = self.desk.slack.block_action(
                "request_resolve", user=agent, value=f"req:{request.id}"
            )
            assert result.status == 200
        self.settle()

    def resolve(self, request: Request, agent: str = "U0AGENT1") -> Call:
        """Resolve through the card; returns the newest resolution DM for this request."""
        result = self.desk.slack.block_action(
            "request_resolve", user=agent, value=f"req:{request.id}"
        )
        assert result.status == 200
        self.settle()
        return [
            c
            for c in dms_to_user(self.desk, request.requester_id)
            if f"resolved REQ-{request.id} " in c.params.get("text", "")
        ][-1]

    def click(
        self, action_id: str, *, value: str, user: str = "U0ALICE", channel: str = "D0ALICE"
    ) -> list[Call]:
        """Click a button; returns what the bot answered through the click's response_url."""
        replies_before = len(self.desk.fake.calls_to("response_url"))
        result = self.desk.slack.block_action(action_id, user=user, value=value, channel=channel)
        assert result.status == 200
        self.settle()
        return self.desk.fake.calls_to("response_url")[replies_before:]

    def react(
        self,
        emoji: str,
        *,
        on: tuple[str, str],
        user: str = "U0ALICE",
        added: bool = True,
        event_id: str | None = None,
        retry: int = 0,
    ) -> None:
        channel, ts = on
        event = {
            "type": "reaction_added" if added else "reaction_removed",
            "user": user,
            "reaction": emoji,
            "item_user": "U0BOT",
            "item": {"type": "message", "channel": channel, "ts": ts},
            "event_ts": f"{time.time():.6f}",
        }
        headers = (
            {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
            if retry
            else None
        )
        result = self.desk.slack.event(event, event_id=event_id, headers=headers)
        assert result.status == 200
        self.settle()

    def comment(self, *, pulse_id: int, comment: str | None, user: str = "U0ALICE") -> HttpResult:
        result = self.desk.slack.comment_submission(user=user, pulse_id=pulse_id, comment=comment)
        assert result.status == 200
        self.settle()
        return result


def dms_to_user(desk: Desk, user: str) -> list[Call]:
    return [c for c in desk.fake.calls_to("chat.postMessage") if c.params.get("channel") == user]


def survey_message_of(desk: Desk, request_id: int, kind: str) -> tuple[str, str]:
    """Where the newest rateable DM of this kind ('resolution' or 'pulse') landed."""
    with desk.session_factory() as session:
        row = session.scalars(
            select(SurveyMessage)
            .join(SatisfactionPulse, SatisfactionPulse.id == SurveyMessage.pulse_id)
            .where(SatisfactionPulse.request_id == request_id, SurveyMessage.kind == kind)
            .order_by(SurveyMessage.id.desc())
        ).first()
        assert row is not None, f"no {kind} message for request {request_id}"
        return row.channel_id, row.ts


def survey_messages(desk: Desk, kind: str) -> list[SurveyMessage]:
    with desk.session_factory() as session:
        return list(
            session.scalars(
                select(SurveyMessage).where(SurveyMessage.kind == kind).order_by(SurveyMessage.id)
            )
        )


def pulses_of(desk: Desk, request_id: int) -> list[SatisfactionPulse]:
    with desk.session_factory() as session:
        return list(
            session.scalars(
                select(SatisfactionPulse)
                .where(SatisfactionPulse.request_id == request_id)
                .order_by(SatisfactionPulse.id)
            )
        )


def job_of(desk: Desk, kind: str, pulse_id: int) -> Job:
    with desk.session_factory() as session:
        job = session.scalar(select(Job).where(Job.unique_key == f"{kind}:{pulse_id}"))
        assert job is not None, f"no {kind} job for pulse {pulse_id}"
        return job


def jobs_of_kind(desk: Desk, kind: str) -> list[Job]:
    with desk.session_factory() as session:
        return list(session.scalars(select(Job).where(Job.kind == kind).order_by(Job.id)))


def updates_of(desk: Desk, channel: str, ts: str) -> list[Call]:
    """Every chat.update of one message, oldest first."""
    return [
        c
        for c in desk.fake.calls_to("chat.update")
        if c.params.get("channel") == channel and c.params.get("ts") == ts
    ]


def card_updates(desk: Desk, request: Request) -> list[Call]:
    assert request.card_channel_id is not None
    assert request.card_ts is not None
    return updates_of(desk, request.card_channel_id, request.card_ts)


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
