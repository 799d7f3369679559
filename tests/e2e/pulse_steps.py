"""Steps of a weekly pulse round driven through the real endpoint, for the tests of what comes
back from it: rounds, answers, a week's answers closing, App Home and its clicks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.calendar import Week
from bot.weekly.rules import results_final_at
from models import Department, WeeklyDelivery, WeeklyRound
from tests.e2e.conftest import TEAM_ID, Desk
from tests.e2e.helpers import run_jobs
from tests.fake_slack import Call

LEAD = "U0ITLEAD"


def member(user_id: str) -> dict[str, Any]:
    return {"id": user_id, "tz": "Europe/London", "deleted": False, "is_bot": False}


def department_id(desk: Desk, key: str) -> int:
    with desk.session_factory() as session:
        return session.scalars(select(Department.id).where(Department.key == key)).one()


def start_round(desk: Desk, week: Week, people: list[str]) -> dict[str, int]:
    """The week's round for `people`, sent now; their deliveries by user."""
    desk.fake.members = [member(user) for user in people]
    desk.pulsedesk.services.rounds.start_round(team_id=TEAM_ID, week=week, send_now=True)
    run_jobs(desk)
    with desk.session_factory() as session:
        rows = session.execute(
            select(WeeklyDelivery.user_id, WeeklyDelivery.id)
            .join(WeeklyRound, WeeklyRound.id == WeeklyDelivery.round_id)
            .where(WeeklyRound.week == week.key)
        )
        return {user: delivery for user, delivery in rows}


def answer(desk: Desk, user: str, delivery_id: int, index: int, score: int) -> None:
    before = len(desk.fake.calls_to("chat.update"))
    desk.slack.block_action(
        f"weekly_answer_{score}",
        user=user,
        value=f"weekly:{delivery_id}:{index}",
        channel="D" + user[1:],
    )
    desk.fake.wait_for_call("chat.update", count=before + 1)


def close_week(desk: Desk, week: Week) -> None:
    """Move on to when the week's answers close, and release them."""
    desk.clock.advance(results_final_at(week) - desk.clock.now())
    run_jobs(desk)


def weekly_dms(desk: Desk, user: str) -> list[Call]:
    return [
        c
        for c in desk.fake.calls_to("chat.postMessage")
        if c.params.get("channel") == user and "weekly pulse" in c.params.get("text", "").lower()
    ]


def home_of(desk: Desk, user: str) -> dict[str, Any]:
    """The Home tab as published for `user` once they open it."""
    before = len([c for c in desk.fake.calls_to("views.publish") if c.params["user_id"] == user])
    desk.slack.event({"type": "app_home_opened", "user": user, "tab": "home"})
    publishes = desk.fake.wait_for_call(
        "views.publish", count=before + 1, where=lambda c: c.params["user_id"] == user
    )
    return dict(publishes[-1].params["view"])


def buttons(view: dict[str, Any], action_id: str) -> list[dict[str, Any]]:
    found = []
    for block in view["blocks"]:
        elements = [block.get("accessory") or {}, *block.get("elements", [])]
        found += [e for e in elements if e.get("action_id") == action_id]
    return found


def opened_form(desk: Desk, trigger_id: str) -> dict[str, Any]:
    [opened] = desk.fake.wait_for_call(
        "views.open", where=lambda c: c.params["trigger_id"] == trigger_id
    )
    return {"id": f"V0{trigger_id.upper()}", **opened.params["view"]}


def typed(block_id: str, text: str | None) -> dict[str, Any]:
    """A modal's one text input, as Slack's state.values holds it."""
    return {block_id: {block_id: {"type": "plain_text_input", "value": text}}}
