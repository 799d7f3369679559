"""`/request` variants and the new-request modal, through the real endpoint."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.app import sync_departments_at_start
from bot.departments import parse_config
from bot.text import slack_date
from models import Request
from tests.e2e.conftest import DEPARTMENTS_TOML, TEAM_ID, Desk, DeskFactory
from tests.e2e.helpers import click_on_home, file_request, get_request, latest_request, text_of


def _count(desk: Desk) -> int:
    with desk.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(Request)) or 0)


def _opened_view(desk: Desk) -> dict:
    [call] = desk.fake.wait_for_call("views.open")
    view: dict = call.params["view"]
    return view


def _department_select(view: dict) -> dict:
    block = next(b for b in view["blocks"] if b["block_id"] == "department")
    element: dict = block["element"]
    return element


def _description_input(view: dict) -> dict:
    block = next(b for b in view["blocks"] if b["block_id"] == "description")
    element: dict = block["element"]
    return element


def test_bare_command_opens_the_form(desk: Desk) -> None:
    fields = desk.slack.slash_command_fields("")
    assert desk.slack.post_form(fields).status == 200
    [call] = desk.fake.wait_for_call("views.open")
    assert call.params["trigger_id"] == fields["trigger_id"]
    view = call.params["view"]
    assert view["callback_id"] == "request_new"
    options = [o["value"] for o in _department_select(view)["options"]]
    assert sorted(options) == ["facilities", "hr", "it"]
    assert "initial_option" not in _department_select(view)
    assert _count(desk) == 0


def test_key_without_text_opens_the_form_with_department_chosen(desk: Desk) -> None:
    desk.slack.slash_command("tech")
    view = _opened_view(desk)
    assert _department_select(view)["initial_option"]["value"] == "it"


def test_unroutable_text_opens_the_form_prefilled(desk: Desk) -> None:
    desk.slack.slash_command("the coffee machine is sad")
    view = _opened_view(desk)
    assert _description_input(view)["initial_value"] == "the coffee machine is sad"
    assert "initial_option" not in _department_select(view)
    assert _count(desk) == 0


def test_keyword_tie_opens_the_form(desk: Desk) -> None:
    desk.slack.slash_command("vpn")  # both IT and Facilities list "vpn"
    view = _opened_view(desk)
    assert _description_input(view)["initial_value"] == "vpn"
    assert _count(desk) == 0


def test_form_submission_files_once_and_confirms_by_dm(desk: Desk) -> None:
    first = desk.slack.view_submission(view_id="V0FORM9", department="hr", urgency="high")
    second = desk.slack.view_submission(view_id="V0FORM9", department="hr", urgency="high")
    assert (first.status, second.status) == (200, 200)
    assert first.body == ""
    [card] = desk.fake.wait_for_call(
        "chat.postMessage", where=lambda c: c.params["channel"] == "C0HR000001"
    )
    assert "High" in text_of(card)
    desk.fake.wait_for_call("chat.postMessage", where=lambda c: c.params["channel"] == "U0ALICE")
    desk.pulsedesk.finish_work()
    assert _count(desk) == 1
    request = latest_request(desk)
    assert request is not None
    assert (request.urgency, request.department.key) == ("high", "hr")


def test_form_errors_are_answered_inline_and_file_nothing(desk: Desk) -> None:
    result = desk.slack.view_submission(department=None, description="   ")
    assert result.status == 200
    answer = result.json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"department", "description"}
    desk.pulsedesk.finish_work()
    assert _count(desk) == 0


def test_form_with_unknown_department_is_explained(desk: Desk) -> None:
    desk.slack.view_submission(department="ghost")
    [dm] = desk.fake.wait_for_call(
        "chat.postMessage", where=lambda c: c.params["channel"] == "U0ALICE"
    )
    assert "no department `ghost`" in dm.params["text"]
    assert _count(desk) == 0


def test_mine_lists_only_my_open_requests(desk: Desk) -> None:
    mine = file_request(desk, "it laptop one", user="U0ALICE")
    file_request(desk, "it laptop two", user="U0BOB")
    desk.slack.slash_command("mine", user="U0ALICE")
    [reply] = desk.fake.wait_for_call(
        "response_url", where=lambda c: "open request" in c.params["text"]
    )
    assert reply.params["response_type"] == "ephemeral"
    body = text_of(reply)
    assert f"REQ-{mine.id}" in body
    assert "laptop two" not in body


def test_help_explains_and_lists_departments(desk: Desk) -> None:
    desk.slack.slash_command("help")
    [reply] = desk.fake.wait_for_call("response_url")
    body = text_of(reply)
    assert "/request mine" in body
    assert "`tech`" in body
    assert "People &amp; Culture" in body
    assert _count(desk) == 0


def test_user_text_is_escaped_and_never_pings(desk: Desk) -> None:
    request = file_request(desk, "it <!channel> <!here|here> a &lt; b &amp; c <@U0BOSS|boss> help")
    assert request.text == "@channel @here a < b & c @boss help"
    for call in desk.fake.calls:
        sent = json.dumps(call.params)
        assert "<!channel>" not in sent
        assert "<!here" not in sent
        assert "<@U0BOSS" not in sent
    [card] = desk.fake.calls_to("chat.postMessage")
    assert "a &lt; b &amp; c" in text_of(card)


def test_long_text_is_stored_whole_and_shown_within_limits(desk: Desk) -> None:
    text = "laptop " + "x" * 9_993
    request = file_request(desk, f"it {text}")
    assert len(request.text) == 10_000
    assert request.text == text
    # The fake Slack rejects anything over Block Kit limits; the desk fixture asserts none was.
    [card] = desk.fake.calls_to("chat.postMessage")
    section = card.params["blocks"][1]["text"]["text"]
    assert len(section) <= 3000
    assert section.endswith("…")


def test_long_unroutable_text_asks_for_the_department(desk: Desk) -> None:
    desk.slack.slash_command("z" * 3_500)
    [reply] = desk.fake.wait_for_call("response_url")
    assert "too long for the form" in text_of(reply)
    assert "`it`" in text_of(reply)
    assert desk.fake.calls_to("views.open") == []
    assert _count(desk) == 0


def test_unicode_and_emoji_survive(desk: Desk) -> None:
    request = file_request(desk, "it ノートパソコンが起動しない 🚀 :tada: ñ")
    assert request.text == "ノートパソコンが起動しない 🚀 :tada: ñ"
    [card] = desk.fake.calls_to("chat.postMessage")
    assert "ノートパソコンが起動しない 🚀" in text_of(card)


def test_home_tab_lists_open_requests(desk: Desk) -> None:
    request = file_request(desk)
    result = desk.slack.event({"type": "app_home_opened", "user": "U0ALICE", "tab": "home"})
    assert result.status == 200
    [publish] = desk.fake.wait_for_call("views.publish")
    assert publish.params["user_id"] == "U0ALICE"
    assert f"REQ-{request.id}" in json.dumps(publish.params["view"])


def test_cancel_from_home_tab_refreshes_it(desk: Desk) -> None:
    request = file_request(desk)
    click_on_home(
        desk,
        "U0ALICE",
        {"action_id": "request_cancel", "block_id": "x", "value": f"req:{request.id}"},
        trigger_id="trigger-home",
    )
    [publish] = desk.fake.wait_for_call("views.publish")
    assert f"REQ-{request.id}" not in json.dumps(publish.params["view"])
    desk.pulsedesk.finish_work()
    stored = latest_request(desk)
    assert stored is not None
    assert stored.status == "cancelled"
    assert not [
        c for c in desk.fake.calls_to("response_url") if "error id" in c.params.get("text", "")
    ]


def test_the_form_opens_while_every_worker_is_busy(desk: Desk) -> None:
    """A trigger_id lasts 3 seconds: the form must not wait behind the jobs' queue."""
    posts = desk.fake.hold("chat.postMessage")
    busy = desk.pulsedesk.services.workers._max_workers + 1
    for n in range(busy):
        assert desk.slack.slash_command(f"it printer {n} jams").status == 200
    desk.fake.wait_for_call("chat.postMessage", count=desk.pulsedesk.services.workers._max_workers)

    fields = desk.slack.slash_command_fields("")
    assert desk.slack.post_form(fields).status == 200
    [call] = desk.fake.wait_for_call("views.open")
    assert call.params["trigger_id"] == fields["trigger_id"]
    # No card has gone out yet: the form did not wait for them.
    assert _cards_posted(desk) == 0
    posts.set()
    desk.fake.wait_for(lambda _: _cards_posted(desk) == busy)


def _cards_posted(desk: Desk) -> int:
    with desk.session_factory() as session:
        return int(session.scalar(select(func.count()).where(Request.card_ts.is_not(None))) or 0)


def _it_also_has(desk: Desk, line: str) -> None:
    """The departments file with one more line in IT's entry, read as at a restart."""
    content = DEPARTMENTS_TOML.replace('leads = ["U0ITLEAD"]', f'leads = ["U0ITLEAD"]\n{line}')
    sync_departments_at_start(
        session_factory=desk.session_factory,
        configs=parse_config(Path("departments.toml"), content).departments,
        team_id=TEAM_ID,
        clock=desk.clock,
    )


def test_a_request_filed_outside_the_departments_hours_says_when_it_is_back(desk: Desk) -> None:
    """Monday 2 November 2026, 09:00 UTC is 18:00 in Tokyo: the desk there has closed."""
    _it_also_has(desk, 'calendar = { timezone = "Asia/Tokyo", hours = "09:00-18:00" }')
    file_request(desk, "it the vpn drops")
    [reply] = desk.fake.wait_for_call("response_url")
    assert "IT Help Desk is back Tuesday 09:00 (Asia/Tokyo)." in text_of(reply)

    # Facilities names no hours: it is never away.
    file_request(desk, "facilities the desk lamp flickers")
    replies = desk.fake.wait_for_call("response_url", count=2)
    assert "is back" not in text_of(replies[1])


def test_a_department_with_service_levels_promises_a_time_and_the_card_keeps_it(
    desk: Desk,
) -> None:
    _it_also_has(desk, 'sla = { first_response = "30m", resolution = "2d" }')
    request = file_request(desk, "it the vpn drops")
    due = slack_date(desk.clock.now() + timedelta(minutes=30))
    [reply] = desk.fake.wait_for_call("response_url")
    assert f"First response due by {due}." in text_of(reply)
    [card] = desk.fake.calls_to("chat.postMessage")
    assert "First response on track" in text_of(card)
    assert due in text_of(card)

    desk.clock.advance(timedelta(minutes=10))
    desk.slack.block_action("request_claim", user="U0AGENT1", value=f"req:{request.id}")
    [update] = desk.fake.wait_for_call("chat.update")
    assert "First response :white_check_mark: met" in text_of(update)
    assert "Resolution on track" in text_of(update)


def test_the_home_tab_files_a_new_request_and_counts_the_kudos_left(
    desk_with: DeskFactory,
) -> None:
    desk = desk_with(kudos_channel="C0KUDOS001")
    desk.slack.event({"type": "app_home_opened", "user": "U0ALICE", "tab": "home"})
    [publish] = desk.fake.wait_for_call("views.publish")
    home = json.dumps(publish.params["view"])
    assert "home_new_request" in home
    assert "You can thank 5 more people today" in home

    click_on_home(
        desk,
        "U0ALICE",
        {"action_id": "home_new_request", "block_id": "x", "value": "new"},
        trigger_id="trigger-home-new",
    )

    [opened] = desk.fake.wait_for_call("views.open")
    assert opened.params["trigger_id"] == "trigger-home-new"
    assert opened.params["view"]["callback_id"] == "request_new"


def test_the_home_tab_says_nothing_of_kudos_when_they_are_off(desk: Desk) -> None:
    desk.slack.event({"type": "app_home_opened", "user": "U0ALICE", "tab": "home"})
    [publish] = desk.fake.wait_for_call("views.publish")
    assert "You can thank" not in json.dumps(publish.params["view"])


def _home_of(desk: Desk, user: str, count: int) -> dict[str, Any]:
    publishes = desk.fake.wait_for_call(
        "views.publish", count=count, where=lambda c: c.params["user_id"] == user
    )
    return dict(publishes[-1].params["view"])


def test_an_agent_claims_from_the_queue_on_app_home(desk: Desk) -> None:
    first = file_request(desk, "it the vpn drops")
    second = file_request(desk, "it my password expired")
    desk.slack.block_action("request_claim", user="U0AGENT2", value=f"req:{first.id}")
    desk.fake.wait_for(lambda _: get_request(desk, first.id).status == "claimed")

    desk.slack.event({"type": "app_home_opened", "user": "U0AGENT1", "tab": "home"})
    home = _home_of(desk, "U0AGENT1", 1)
    queue = [b for b in home["blocks"] if f"REQ-{second.id}" in json.dumps(b)]
    # Unclaimed first, with a Claim button; the claimed one after, without.
    texts = [json.dumps(b) for b in home["blocks"]]
    assert texts.index(json.dumps(queue[0])) < next(
        i for i, t in enumerate(texts) if f"*REQ-{first.id}*" in t
    )
    assert queue[0]["accessory"]["action_id"] == "request_claim"

    click_on_home(desk, "U0AGENT1", queue[0]["accessory"], trigger_id="trigger-home-claim")

    desk.fake.wait_for(lambda _: get_request(desk, second.id).assignee_id == "U0AGENT1")
    redrawn = _home_of(desk, "U0AGENT1", 2)
    assert "request_claim" not in json.dumps(redrawn)


def test_a_requester_who_is_no_agent_sees_no_queue(desk: Desk) -> None:
    file_request(desk, "it the vpn drops")
    desk.slack.event({"type": "app_home_opened", "user": "U0ALICE", "tab": "home"})
    assert "queues" not in json.dumps(_home_of(desk, "U0ALICE", 1))


def test_a_request_resolved_lately_stays_on_home_to_be_reopened(desk: Desk) -> None:
    request = file_request(desk, "it the vpn drops")
    desk.slack.block_action("request_resolve", user="U0AGENT1", value=f"req:{request.id}")
    desk.fake.wait_for(lambda _: get_request(desk, request.id).status == "resolved")

    desk.slack.event({"type": "app_home_opened", "user": "U0ALICE", "tab": "home"})
    home = _home_of(desk, "U0ALICE", 1)
    [resolved] = [b for b in home["blocks"] if f"*REQ-{request.id}*" in json.dumps(b)]
    assert "resolved by <@U0AGENT1>" in json.dumps(resolved)
    assert resolved["accessory"]["action_id"] == "request_reopen"

    click_on_home(desk, "U0ALICE", resolved["accessory"], trigger_id="trigger-home-reopen")

    desk.fake.wait_for(lambda _: get_request(desk, request.id).status == "open")
    assert "Recently resolved" not in json.dumps(_home_of(desk, "U0ALICE", 2))


def test_a_request_resolved_over_a_week_ago_leaves_home(desk: Desk) -> None:
    request = file_request(desk, "it the vpn drops")
    desk.slack.block_action("request_resolve", user="U0AGENT1", value=f"req:{request.id}")
    desk.fake.wait_for(lambda _: get_request(desk, request.id).status == "resolved")
    desk.clock.advance(timedelta(days=8))

    desk.slack.event({"type": "app_home_opened", "user": "U0ALICE", "tab": "home"})
    assert f"REQ-{request.id}" not in json.dumps(_home_of(desk, "U0ALICE", 1))
