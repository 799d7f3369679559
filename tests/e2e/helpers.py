from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select, text

from bot.db import is_sqlite
from bot.job_runner import RunSummary
from models import (
    Job,
    Kudos,
    Rating,
    Request,
    RequestEvent,
    SatisfactionPulse,
    Shoutout,
    SurveyMessage,
)
from tests.e2e.conftest import Desk
from tests.e2e.slack_client import HttpResult
from tests.fake_slack import Call


def file_request(
    desk: Desk, text: str = "it My laptop will not boot", user: str = "U0ALICE"
) -> Request:
    """File through the real command and wait until the card is posted."""
    before = len(desk.fake.calls_to("chat.postMessage"))
    assert desk.slack.slash_command(text, user=user).status == 200
    desk.fake.wait_for_call("chat.postMessage", count=before + 1)
    desk.fake.wait_for(lambda _: (r := latest_request(desk)) is not None and r.card_ts)
    request = latest_request(desk)
    assert request is not None
    return request


@contextmanager
def database_write_lock(desk: Desk, database_url: str) -> Iterator[None]:
    """Hold the write lock on requests, as a long transaction elsewhere would."""
    engine = desk.session_factory.kw["bind"]
    with engine.connect() as connection:
        if is_sqlite(database_url):
            connection.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the database write lock
        else:
            connection.execute(text("LOCK TABLE requests IN EXCLUSIVE MODE"))
        yield
        connection.rollback()


def latest_request(desk: Desk) -> Request | None:
    with desk.session_factory() as session:
        return session.scalars(select(Request).order_by(Request.id.desc())).first()


def get_request(desk: Desk, request_id: int) -> Request:
    with desk.session_factory() as session:
        request = session.get(Request, request_id)
        assert request is not None
        return request


def events(desk: Desk, request_id: int) -> list[tuple[str, str | None, str, str]]:
    with desk.session_factory() as session:
        rows = session.scalars(
            select(RequestEvent)
            .where(RequestEvent.request_id == request_id)
            .order_by(RequestEvent.id)
        )
        return [(e.action, e.from_status, e.to_status, e.actor_id) for e in rows]


def text_of(call: Call) -> str:
    """Everything a person would read in a recorded message."""
    return call.params.get("text", "") + json.dumps(call.params.get("blocks") or [])


def dms_to(desk: Desk, user: str) -> list[Call]:
    return [c for c in desk.fake.calls_to("chat.postMessage") if c.params.get("channel") == user]


def action_ids(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def intake_settled(desk: Desk) -> None:
    """Wait until what Slack asked for has run: the listeners' jobs are gone once done."""
    desk.fake.wait_for(lambda _: not _intake_jobs(desk))


def _intake_jobs(desk: Desk) -> list[int]:
    with desk.session_factory() as session:
        return list(session.scalars(select(Job.id).where(Job.kind.like("slack.%"))))


def intake_jobs(desk: Desk, state: str) -> int:
    """How many of the listeners' jobs are in `state`."""
    with desk.session_factory() as session:
        return len(
            list(
                session.scalars(select(Job.id).where(Job.kind.like("slack.%"), Job.state == state))
            )
        )


def intake_settled_or_waiting(desk: Desk) -> None:
    """What Slack asked for has had its try: each listener's job is gone, or waits to be tried
    again (which `run_jobs`, waiting for them all to go, would wait on for ever)."""
    desk.fake.wait_for(lambda _: intake_jobs(desk, "running") == 0)


def run_jobs(desk: Desk) -> RunSummary:
    """One scheduler tick at the fake clock's time, as `serve` would run it, once the work
    the listeners took has run (a fake clock moved past its lease would run it twice)."""
    intake_settled(desk)
    return desk.pulsedesk.services.ticker.tick()


def pulse_dms(desk: Desk, user: str) -> list[Call]:
    return [c for c in dms_to(desk, user) if "How satisfied are you" in c.params.get("text", "")]


def resolve(desk: Desk, request: Request, agent: str = "U0AGENT1") -> Call:
    """Resolve through the card's button; returns the resolution DM once it is rateable."""
    assert (
        desk.slack.block_action("request_resolve", user=agent, value=f"req:{request.id}").status
        == 200
    )
    dm = desk.fake.wait_for(
        lambda calls: [
            c
            for c in calls
            if c.method == "chat.postMessage"
            and c.params.get("channel") == request.requester_id
            and f"resolved REQ-{request.id} " in c.params.get("text", "")
        ]
    )[-1]
    desk.fake.wait_for(lambda _: survey_message_count(desk, "resolution") >= 1)
    return dm


def survey_message_count(desk: Desk, kind: str) -> int:
    with desk.session_factory() as session:
        return len(session.scalars(select(SurveyMessage).where(SurveyMessage.kind == kind)).all())


def pulses(desk: Desk) -> list[SatisfactionPulse]:
    with desk.session_factory() as session:
        return list(session.scalars(select(SatisfactionPulse).order_by(SatisfactionPulse.id)))


def rating_of(desk: Desk, request_id: int) -> Rating | None:
    with desk.session_factory() as session:
        return session.scalar(select(Rating).where(Rating.request_id == request_id))


# -- kudos ------------------------------------------------------------------------------------


def give_kudos(desk: Desk, text: str, *, user: str, trigger_id: str | None = None) -> Call:
    """Run `/kudos` through the real endpoint; returns the ephemeral answer once it came."""
    before = len(desk.fake.calls_to("response_url"))
    fields = desk.slack.slash_command_fields(
        text, user=user, command="/kudos", trigger_id=trigger_id
    )
    assert desk.slack.post_form(fields).status == 200
    [*_, reply] = desk.fake.wait_for_call("response_url", count=before + 1)
    assert reply.params["response_type"] == "ephemeral"
    return reply


def posts_to(desk: Desk, channel: str) -> list[Call]:
    return [c for c in desk.fake.calls_to("chat.postMessage") if c.params.get("channel") == channel]


def kudos_rows(desk: Desk) -> list[Kudos]:
    """Every row of `kudos`, oldest first."""
    with desk.session_factory() as session:
        return list(session.scalars(select(Kudos).order_by(Kudos.id)))


def shoutout_rows(desk: Desk) -> list[Shoutout]:
    """Every row of `kudos_shoutouts`, oldest first."""
    with desk.session_factory() as session:
        return list(session.scalars(select(Shoutout).order_by(Shoutout.id)))


def jobs_of(desk: Desk, kind: str) -> list[Job]:
    with desk.session_factory() as session:
        return list(session.scalars(select(Job).where(Job.kind == kind).order_by(Job.id)))


def kudos_submission(
    desk: Desk,
    *,
    user: str,
    request_id: int,
    view_id: str = "V0KUDOS1",
    message: str | None = None,
    value: str | None = None,
) -> HttpResult:
    """Submit the kudos modal of a request, as Slack sends it; returns the HTTP answer (the
    ack, with inline errors if any)."""
    selected = (
        {"selected_option": {"value": value, "text": {"type": "plain_text", "text": value}}}
        if value
        else {"selected_option": None}
    )
    payload = {
        "type": "view_submission",
        "team": {"id": desk.slack.team_id, "domain": "test"},
        "user": {"id": user, "username": user.lower(), "team_id": desk.slack.team_id},
        "api_app_id": "A0PULSE",
        "token": "legacy-verification-token",
        "trigger_id": f"trigger-{view_id}-{user}",
        "view": {
            "id": view_id,
            "type": "modal",
            "callback_id": "kudos_for_request",
            "private_metadata": json.dumps({"request": request_id}),
            "state": {
                "values": {
                    "kudos_message": {
                        "kudos_message": {"type": "plain_text_input", "value": message}
                    },
                    "kudos_value": {"kudos_value": {"type": "static_select", **selected}},
                }
            },
        },
        "response_urls": [],
    }
    return desk.slack.post_form({"payload": json.dumps(payload)})


def click_on_home(desk: Desk, user: str, button: dict[str, Any], *, trigger_id: str) -> HttpResult:
    """A click on a button of the App Home tab: a view, with no response_url."""
    payload = {
        "type": "block_actions",
        "team": {"id": desk.slack.team_id},
        "user": {"id": user, "team_id": desk.slack.team_id},
        "container": {"type": "view", "view_id": "V0HOME"},
        "trigger_id": trigger_id,
        "view": {"id": "V0HOME", "type": "home"},
        "actions": [
            {
                "action_id": button["action_id"],
                "block_id": "b",
                "type": "button",
                "value": button["value"],
                "action_ts": "1700000000.1",
            }
        ],
    }
    result = desk.slack.post_form({"payload": json.dumps(payload)})
    assert result.status == 200
    return result
