"""Service levels chased through the real endpoint and the job runner: a reminder in the card's
thread, then at the target an Overdue card and one DM to each lead, each once, in working
time only, across restarts and a job runner that was down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.app import sync_departments_at_start
from bot.departments import parse_config
from bot.text import slack_date
from models import Job, Request
from tests.e2e.conftest import DEPARTMENTS_TOML, TEAM_ID, Desk, DeskFactory
from tests.e2e.helpers import action_ids, dms_to, file_request, get_request, run_jobs, text_of
from tests.fake_slack import Call, ScriptedFailure

CARD_CHANNEL = "C0IT000001"
# Monday 2 November 2026 (the fake clock's start) is 10:00 in Berlin.
BERLIN_OFFICE = 'calendar = { timezone = "Europe/Berlin", hours = "09:00-18:00", days = "mon-fri" }'
TARGETS = 'sla = { first_response = "2h", resolution = "1d" }'


def _it_promises(desk: Desk, *lines: str) -> None:
    """IT's entry in the departments file with these lines more, read as at a restart."""
    extra = "\n".join(lines)
    content = DEPARTMENTS_TOML.replace('leads = ["U0ITLEAD"]', f'leads = ["U0ITLEAD"]\n{extra}')
    sync_departments_at_start(
        session_factory=desk.session_factory,
        configs=parse_config(Path("departments.toml"), content).departments,
        team_id=TEAM_ID,
        clock=desk.clock,
    )


def _in_thread(desk: Desk, request: Request) -> list[Call]:
    return [
        c
        for c in desk.fake.calls_to("chat.postMessage")
        if c.params.get("channel") == CARD_CHANNEL and c.params.get("thread_ts") == request.card_ts
    ]


def _thread_replies(desk: Desk, request: Request) -> list[dict[str, object]]:
    assert request.card_ts is not None
    thread = desk.fake.workspace.thread(CARD_CHANNEL, request.card_ts)
    assert thread is not None
    return thread[1:]


def _card_text(desk: Desk, request: Request) -> str:
    updates = [
        c
        for c in desk.fake.calls_to("chat.update")
        if c.params.get("channel") == CARD_CHANNEL and c.params.get("ts") == request.card_ts
    ]
    return text_of(updates[-1]) if updates else ""


def _escalations(desk: Desk, user: str) -> list[Call]:
    return [c for c in dms_to(desk, user) if "is overdue" in c.params.get("text", "")]


def _move_to(desk: Desk, moment: datetime) -> None:
    desk.clock.advance(moment - desk.clock.now())


def _pending_sla_jobs(desk: Desk, request: Request) -> list[str]:
    with desk.session_factory() as session:
        return sorted(
            session.scalars(
                select(Job.unique_key).where(
                    Job.unique_key.like(f"sla.%:{request.id}:%"), Job.state == "pending"
                )
            )
        )


def test_a_reminder_then_an_escalation_each_go_out_once_at_their_time(desk: Desk) -> None:
    _it_promises(desk, BERLIN_OFFICE, TARGETS)
    request = file_request(desk, "it the vpn drops every hour")
    due = desk.clock.now() + timedelta(hours=2)

    # Three quarters of two working hours: 90 minutes after filing.
    desk.clock.advance(timedelta(minutes=89))
    run_jobs(desk)
    assert _in_thread(desk, request) == []

    desk.clock.advance(timedelta(minutes=1))
    run_jobs(desk)
    [reminder] = _in_thread(desk, request)
    # Unclaimed: the department's agents are named.
    assert "<@U0AGENT1> <@U0AGENT2>" in text_of(reminder)
    assert f"its first response is due {slack_date(due)}" in text_of(reminder)
    assert "due soon" in _card_text(desk, request)
    desk.clock.advance(timedelta(minutes=5))
    run_jobs(desk)
    assert len(_in_thread(desk, request)) == 1

    _move_to(desk, due)
    run_jobs(desk)
    assert "Overdue" in _card_text(desk, request)
    [reminder, overdue] = _in_thread(desk, request)
    assert "is overdue" in text_of(overdue)
    assert "leads have been told" in text_of(overdue)
    [escalation] = _escalations(desk, "U0ITLEAD")
    assert action_ids(escalation.params["blocks"]) == ["request_escalated_claim"]
    assert "Nobody has claimed it" in text_of(escalation)
    assert "see the card" in text_of(escalation)

    desk.clock.advance(timedelta(hours=1))
    run_jobs(desk)
    assert len(_escalations(desk, "U0ITLEAD")) == 1
    assert len(_thread_replies(desk, request)) == 2


def test_the_lead_claims_from_the_escalation_and_its_dm_says_so(desk: Desk) -> None:
    _it_promises(desk, TARGETS)
    request = file_request(desk, "it the printer is on fire")
    desk.clock.advance(timedelta(hours=2))
    run_jobs(desk)
    assert len(_escalations(desk, "U0ITLEAD")) == 1
    desk.clock.advance(timedelta(minutes=10))

    result = desk.slack.block_action(
        "request_escalated_claim", user="U0ITLEAD", value=f"req:{request.id}", channel="D0ITLEAD"
    )

    assert result.status == 200
    desk.fake.wait_for(lambda _: get_request(desk, request.id).status == "claimed")
    claimed = get_request(desk, request.id)
    assert (claimed.assignee_id, claimed.first_response_at) == ("U0ITLEAD", desk.clock.now())
    [update] = desk.fake.wait_for_call("response_url", where=lambda c: "You claimed" in text_of(c))
    assert update.params["replace_original"] is True
    # The first response is met, late: its jobs are done; the resolution is still chased.
    assert _pending_sla_jobs(desk, request) == [
        f"sla.escalate:{request.id}:resolution",
        f"sla.remind:{request.id}:resolution",
    ]
    desk.fake.wait_for(lambda _: "missed" in _card_text(desk, request))


def test_a_request_that_moves_on_is_chased_no_more(desk: Desk) -> None:
    _it_promises(desk, TARGETS)
    request = file_request(desk, "it new keyboard please")
    assert len(_pending_sla_jobs(desk, request)) == 4

    desk.slack.block_action("request_claim", user="U0AGENT1", value=f"req:{request.id}")
    desk.fake.wait_for(lambda _: len(_pending_sla_jobs(desk, request)) == 2)
    desk.clock.advance(timedelta(hours=20))
    run_jobs(desk)
    # The resolution's reminder names who has it, not the whole department.
    [reminder] = _in_thread(desk, request)
    assert "<@U0AGENT1>" in text_of(reminder)
    assert "<@U0AGENT2>" not in text_of(reminder)
    assert "resolution" in text_of(reminder)

    desk.slack.block_action("request_resolve", user="U0AGENT1", value=f"req:{request.id}")
    desk.fake.wait_for(lambda _: _pending_sla_jobs(desk, request) == [])
    desk.clock.advance(timedelta(days=3))
    run_jobs(desk)
    assert len(_in_thread(desk, request)) == 1
    assert _escalations(desk, "U0ITLEAD") == []


def test_a_request_reopened_after_its_due_time_is_escalated_once(desk: Desk) -> None:
    _it_promises(desk, TARGETS)
    request = file_request(desk, "it new keyboard please")
    desk.slack.block_action("request_claim", user="U0AGENT1", value=f"req:{request.id}")
    desk.fake.wait_for(lambda _: len(_pending_sla_jobs(desk, request)) == 2)
    desk.slack.block_action("request_resolve", user="U0AGENT1", value=f"req:{request.id}")
    desk.fake.wait_for(lambda _: _pending_sla_jobs(desk, request) == [])

    # Resolved in time; reopened two days later, past the day it had.
    desk.clock.advance(timedelta(days=2))
    desk.slack.block_action("request_reopen", user="U0ALICE", value=f"req:{request.id}")
    desk.fake.wait_for(lambda _: len(_pending_sla_jobs(desk, request)) == 1)
    run_jobs(desk)
    assert "Overdue" in _card_text(desk, request)
    [overdue] = [c for c in _in_thread(desk, request) if "is overdue" in text_of(c)]
    assert "resolution" in text_of(overdue)
    [escalation] = _escalations(desk, "U0ITLEAD")
    assert "resolution" in text_of(escalation)

    desk.clock.advance(timedelta(hours=1))
    run_jobs(desk)
    assert len(_escalations(desk, "U0ITLEAD")) == 1
    assert len([c for c in _in_thread(desk, request) if "is overdue" in text_of(c)]) == 1


def test_reminders_wait_for_the_next_working_minute(desk: Desk) -> None:
    _it_promises(desk, BERLIN_OFFICE, TARGETS)
    # Friday 6 November, 17:30 in Berlin: half an hour before the desk closes.
    _move_to(desk, datetime(2026, 11, 6, 16, 30, tzinfo=UTC))
    request = file_request(desk, "it the vpn drops at home")
    # 90 working minutes: 30 on Friday, 60 on Monday from 09:00 Berlin (08:00 UTC).
    remind_at = datetime(2026, 11, 9, 9, 0, tzinfo=UTC)

    _move_to(desk, datetime(2026, 11, 7, 12, 0, tzinfo=UTC))
    run_jobs(desk)
    _move_to(desk, remind_at - timedelta(seconds=1))
    run_jobs(desk)
    assert _in_thread(desk, request) == []

    _move_to(desk, remind_at)
    run_jobs(desk)
    assert len(_in_thread(desk, request)) == 1


def test_an_escalation_due_as_the_desk_closes_turns_the_card_at_once_and_tells_at_opening(
    desk: Desk,
) -> None:
    _it_promises(desk, BERLIN_OFFICE, 'sla = { first_response = "2h" }')
    # Friday 6 November, 16:00 in Berlin: due at 18:00, as the desk closes.
    _move_to(desk, datetime(2026, 11, 6, 15, 0, tzinfo=UTC))
    request = file_request(desk, "it my account is locked")

    _move_to(desk, datetime(2026, 11, 6, 17, 0, tzinfo=UTC))
    run_jobs(desk)
    assert "Overdue" in _card_text(desk, request)
    assert _escalations(desk, "U0ITLEAD") == []
    assert [text_of(c) for c in _in_thread(desk, request) if "overdue" in text_of(c)] == []

    # Monday 09:00 in Berlin.
    _move_to(desk, datetime(2026, 11, 9, 8, 0, tzinfo=UTC))
    run_jobs(desk)
    assert len(_escalations(desk, "U0ITLEAD")) == 1


def test_a_runner_that_was_down_sends_the_escalation_and_not_a_stale_reminder(
    desk: Desk,
) -> None:
    _it_promises(desk, TARGETS)
    request = file_request(desk, "it laptop fan is loud")

    desk.clock.advance(timedelta(hours=5))
    run_jobs(desk)

    [note] = _in_thread(desk, request)
    assert "is overdue" in text_of(note)
    assert len(_escalations(desk, "U0ITLEAD")) == 1


def test_reminders_survive_a_restart_and_go_out_once(desk_with: DeskFactory) -> None:
    first = desk_with()
    _it_promises(first, TARGETS)
    request = file_request(first, "it the docking station is dead")

    restarted = desk_with()
    restarted.clock.advance(timedelta(minutes=90))
    run_jobs(restarted)
    run_jobs(restarted)
    assert len(_in_thread(restarted, request)) == 1


def test_an_escalation_cut_off_half_way_is_finished_without_repeating_itself(
    desk: Desk,
) -> None:
    _it_promises(desk, TARGETS)
    request = file_request(desk, "it I cannot print")
    desk.clock.advance(timedelta(hours=2))
    # The note in the thread goes out; every try at the lead's DM is cut off.
    desk.fake.fail_where(
        "chat.postMessage",
        lambda params: params.get("channel") == "U0ITLEAD",
        *[ScriptedFailure(0)] * 3,
    )
    assert run_jobs(desk).retrying == 1
    assert len(_thread_replies(desk, request)) == 1
    assert desk.fake.workspace.messages("D0ITLEAD") == []

    desk.clock.advance(timedelta(minutes=5))
    assert run_jobs(desk).done == 1
    [note] = _thread_replies(desk, request)
    assert "is overdue" in str(note["text"])
    assert len(desk.fake.workspace.messages("D0ITLEAD")) == 1
