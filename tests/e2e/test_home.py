"""App Home by role through the fake Slack: what a requester, an agent, a lead and an admin see
when they open it, the lead's departments paged (the page kept by later drawings), and Home kept
up to date after a change, at most once a minute per person, only for those who look at it."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from tests.e2e.conftest import DEPARTMENTS_TOML, Desk, DeskFactory
from tests.e2e.helpers import click_on_home, file_request, pulses, rating_of, resolve, run_jobs
from tests.e2e.test_department_report import NEXT_MONDAY_10, _advance_to, _run_until_settled

WITH_TARGETS = DEPARTMENTS_TOML.replace(
    'leads = ["U0ITLEAD"]',
    'leads = ["U0ITLEAD"]\nsla = { first_response = "30m", resolution = "2d" }',
)


def _open_home(desk: Desk, user: str) -> dict[str, Any]:
    before = len(_publishes(desk, user))
    assert desk.slack.event({"type": "app_home_opened", "user": user, "tab": "home"}).status == 200
    desk.fake.wait_for_call(
        "views.publish", count=before + 1, where=lambda c: c.params["user_id"] == user
    )
    return _publishes(desk, user)[-1]


def _publishes(desk: Desk, user: str) -> list[dict[str, Any]]:
    return [
        c.params["view"] for c in desk.fake.calls_to("views.publish") if c.params["user_id"] == user
    ]


def _text(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def _departments_shown(view: dict[str, Any]) -> list[str]:
    """The lead section's department names: a section of the name alone, in bold."""
    return [
        b["text"]["text"]
        for b in view["blocks"]
        if b["type"] == "section" and re.fullmatch(r"\*[^*]+\*", b.get("text", {}).get("text", ""))
    ]


def _shared_for(view: dict[str, Any]) -> list[str]:
    """The departments with a Share what we're doing button, by their names in bold."""
    return [
        b["text"]["text"].split(" · ")[0]
        for b in view["blocks"]
        if b.get("accessory", {}).get("action_id") == "weekly_share"
    ]


def _headers(view: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]


def test_a_requester_sees_who_has_their_request_how_old_and_its_targets(
    desk_with: DeskFactory,
) -> None:
    desk = desk_with(departments_toml=WITH_TARGETS)
    request = file_request(desk, "it VPN drops every hour", user="U0ALICE")
    desk.clock.advance(timedelta(minutes=25))
    view = _open_home(desk, "U0ALICE")
    assert _headers(view)[:2] == ["pulsedesk", "Your open requests"]
    shown = _text(view)
    assert (
        f"*REQ-{request.id}* · IT Help Desk · :large_green_circle: Open · nobody has it yet"
        in shown
    )
    assert "first response :large_orange_circle: *due soon*" in shown
    # Nobody else's view: no queue, no figures.
    assert "Your teams" not in shown
    assert "Claimed by you" not in shown


def test_an_agent_sees_the_queue_and_what_they_hold(desk: Desk) -> None:
    claimed = file_request(desk, "it My laptop will not boot", user="U0ALICE")
    file_request(desk, "it VPN drops every hour", user="U0BOB")
    desk.slack.block_action("request_claim", user="U0AGENT1", value=f"req:{claimed.id}")
    desk.fake.wait_for(
        lambda _: (
            "picked up" in json.dumps([c.params for c in desk.fake.calls_to("chat.postMessage")])
        )
    )
    view = _open_home(desk, "U0AGENT1")
    assert "Claimed by you" in _headers(view)
    assert "Your teams' queues" in _headers(view)
    assert "*IT Help Desk* · 2 open" in _text(view)


def test_a_lead_sees_30_days_against_30_with_the_chart_of_the_weekly_report(
    desk: Desk,
) -> None:
    _advance_to(desk, NEXT_MONDAY_10 - timedelta(days=6))
    first = file_request(desk, "it My laptop will not boot", user="U0ALICE")
    desk.clock.advance(timedelta(hours=2))
    resolve(desk, first)
    desk.pulsedesk.services.department_reports.schedule(team_id="T0TEST")
    _advance_to(desk, NEXT_MONDAY_10)
    _run_until_settled(desk)

    view = _open_home(desk, "U0ITLEAD")
    shown = _text(view)
    assert "Your teams: the last 30 days" in _headers(view)
    assert "*Requests filed*\\n1 _(was 0)_" in shown
    assert "*Pulse score*\\nnot enough answers yet" in shown
    assert "*Responsiveness* as people rate it: not enough answers yet" in shown
    [image] = [b for b in view["blocks"] if b["type"] == "image"]
    [chart] = [f for m in desk.fake.history["C0IT000001"] for f in m.get("files") or []]
    assert image["slack_file"] == {"id": chart["id"]}
    # Only the department they lead.
    assert "*Facilities*" not in shown


def test_an_admin_sees_every_department_paged(desk_with: DeskFactory) -> None:
    many = DEPARTMENTS_TOML + "".join(
        f'\n[[departments]]\nkey = "team{n}"\nname = "Team {n}"\nchannel = "C0TEAM{n:04d}"\n'
        for n in range(5)
    )
    desk = desk_with(departments_toml=many, admin_users="U0ADMIN1")
    first = _open_home(desk, "U0ADMIN1")
    assert len(first["blocks"]) <= 100
    names = _departments_shown(first)
    assert len(names) == 4
    [pager] = [
        b
        for b in first["blocks"]
        if b["type"] == "actions" and b["elements"][0]["action_id"].startswith("home_page")
    ]
    [more] = pager["elements"]
    assert more["action_id"] == "home_page_next"
    click_on_home(desk, "U0ADMIN1", more, trigger_id="trigger-page")
    desk.fake.wait_for_call(
        "views.publish", count=2, where=lambda c: c.params["user_id"] == "U0ADMIN1"
    )
    second = _publishes(desk, "U0ADMIN1")[-1]
    later = _departments_shown(second)
    assert len(later) == 4
    assert not set(later) & set(names)
    # The share buttons follow the page: an admin reaches every department's.
    assert _shared_for(first) == names
    assert _shared_for(second) == later

    # A change redraws the admin's Home a minute later, on the page they were reading; so does
    # opening the tab again.
    drawn = len(_publishes(desk, "U0ADMIN1"))
    file_request(desk, "it My laptop will not boot", user="U0ALICE")
    desk.clock.advance(timedelta(minutes=1))
    run_jobs(desk)
    assert len(_publishes(desk, "U0ADMIN1")) == drawn + 1
    assert _departments_shown(_publishes(desk, "U0ADMIN1")[-1]) == later
    assert _departments_shown(_open_home(desk, "U0ADMIN1")) == later


def test_home_is_redrawn_once_a_minute_for_those_who_look_at_it(desk: Desk) -> None:
    _open_home(desk, "U0ITLEAD")
    _open_home(desk, "U0ALICE")
    lead_before, alice_before = len(_publishes(desk, "U0ITLEAD")), len(_publishes(desk, "U0ALICE"))
    # Two changes within the same minute, to a request of Alice's, in the lead's department.
    request = file_request(desk, "it My laptop will not boot", user="U0ALICE")
    desk.slack.block_action("request_claim", user="U0AGENT1", value=f"req:{request.id}")
    desk.fake.wait_for(
        lambda _: (
            "picked up" in json.dumps([c.params for c in desk.fake.calls_to("chat.postMessage")])
        )
    )
    run_jobs(desk)
    assert len(_publishes(desk, "U0ITLEAD")) == lead_before
    desk.clock.advance(timedelta(minutes=1))
    run_jobs(desk)
    assert len(_publishes(desk, "U0ITLEAD")) == lead_before + 1
    assert len(_publishes(desk, "U0ALICE")) == alice_before + 1
    assert "Claimed" in _text(_publishes(desk, "U0ALICE")[-1])
    # The agent never opened Home: it is not drawn for them.
    assert _publishes(desk, "U0AGENT1") == []
    desk.clock.advance(timedelta(minutes=5))
    run_jobs(desk)
    assert len(_publishes(desk, "U0ITLEAD")) == lead_before + 1


def test_a_rating_redraws_the_leads_and_the_admins_home(desk_with: DeskFactory) -> None:
    desk = desk_with(admin_users="U0ADMIN1")
    request = file_request(desk, "it My laptop will not boot", user="U0ALICE")
    resolve(desk, request)
    desk.clock.advance(timedelta(minutes=30))
    run_jobs(desk)
    [pulse] = pulses(desk)
    for user in ("U0ITLEAD", "U0ADMIN1"):
        _open_home(desk, user)
    desk.clock.advance(timedelta(minutes=5))
    run_jobs(desk)
    before = {user: len(_publishes(desk, user)) for user in ("U0ITLEAD", "U0ADMIN1")}

    desk.slack.block_action(
        "satisfaction_rate_2", user="U0ALICE", value=f"pulse:{pulse.id}", channel="D0ALICE"
    )
    desk.fake.wait_for(lambda _: (r := rating_of(desk, request.id)) is not None and r.score == 2)
    desk.clock.advance(timedelta(minutes=1))
    run_jobs(desk)
    for user in ("U0ITLEAD", "U0ADMIN1"):
        assert len(_publishes(desk, user)) == before[user] + 1
        assert "*2/5*" in _text(_publishes(desk, user)[-1])
