"""When a pulse goes out: after the delay, not after a reopen, once per cooldown, inside the
requester's working hours, and once only however often Slack pushes back."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from slack_sdk.http_retry.jitter import RandomJitter

from bot.__main__ import show_jobs
from bot.job_runner import MAX_ATTEMPTS, backoff
from bot.settings import Settings
from bot.slack import POST_ATTEMPTS
from models import Request
from tests.e2e.conftest import Desk
from tests.e2e.helpers import file_request, pulse_dms, pulses, run_jobs, text_of
from tests.e2e.survey_steps import (
    DELAY,
    Survey,
    job_of,
    jobs_of_kind,
    pulses_of,
    survey_message_of,
    survey_messages,
)
from tests.fake_slack import Call

SEND = "satisfaction.send_pulse"
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def survey(desk: Desk) -> Survey:
    return Survey(desk)


def _advance_to(desk: Desk, moment: datetime) -> None:
    assert moment >= desk.clock.now()
    desk.clock.advance(moment - desk.clock.now())


def _reopen(desk: Desk, survey: Survey, request: Request) -> None:
    desk.slack.block_action(
        "request_reopen",
        user=request.requester_id,
        value=f"req:{request.id}",
        channel="D" + request.requester_id[1:],
    )
    survey.settle()


def _pulse_dms_about(desk: Desk, user: str, request: Request) -> list[Call]:
    return [c for c in pulse_dms(desk, user) if f"REQ-{request.id}" in c.params["text"]]


def test_reopen_before_the_pulse_cancels_it_and_the_next_resolution_gets_its_own(
    desk: Desk, survey: Survey
) -> None:
    request = file_request(desk)
    survey.resolve(request)
    [first] = pulses_of(desk, request.id)
    assert first.state == "scheduled"

    _reopen(desk, survey, request)

    [first] = pulses_of(desk, request.id)
    assert first.state == "cancelled"
    assert job_of(desk, SEND, first.id).state == "cancelled"
    desk.clock.advance(DELAY)
    assert run_jobs(desk).ran == 0
    assert pulse_dms(desk, "U0ALICE") == []

    survey.resolve(request)
    first, second = pulses_of(desk, request.id)
    assert (first.state, second.state) == ("cancelled", "scheduled")
    assert second.due_at == desk.clock.now() + DELAY

    desk.clock.advance(DELAY)
    assert run_jobs(desk).done == 1
    desk.clock.advance(timedelta(hours=2))
    run_jobs(desk)

    [dm] = pulse_dms(desk, "U0ALICE")
    assert f"pulse:{second.id}" in text_of(dm)
    first, second = pulses_of(desk, request.id)
    assert (first.state, second.state) == ("cancelled", "sent")
    assert job_of(desk, SEND, second.id).state == "done"


def test_a_rating_given_before_a_reopen_does_not_skip_the_next_pulse(
    desk: Desk, survey: Survey
) -> None:
    request = file_request(desk)
    survey.resolve(request)
    survey.react("star-struck", on=survey_message_of(desk, request.id, "resolution"))
    desk.clock.advance(timedelta(minutes=5))
    _reopen(desk, survey, request)
    desk.clock.advance(timedelta(minutes=5))
    survey.resolve(request)

    desk.clock.advance(DELAY)
    assert run_jobs(desk).done == 1

    [dm] = _pulse_dms_about(desk, "U0ALICE", request)
    first, second = pulses_of(desk, request.id)
    assert (first.state, second.state) == ("cancelled", "sent")
    assert second.skip_reason is None
    assert f"pulse:{second.id}" in text_of(dm)


def test_a_second_pulse_within_the_cooldown_is_skipped_not_left_pending(
    desk: Desk, survey: Survey, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    start = desk.clock.now()
    first = file_request(desk, "it My laptop will not boot")
    survey.resolve(first)
    desk.clock.advance(timedelta(minutes=10))
    second = file_request(desk, "it The VPN drops every hour")
    survey.resolve(second)

    _advance_to(desk, start + DELAY)
    assert run_jobs(desk).done == 1
    _advance_to(desk, start + timedelta(minutes=10) + DELAY)
    assert run_jobs(desk).done == 1

    [dm] = pulse_dms(desk, "U0ALICE")
    assert f"REQ-{first.id}" in dm.params["text"]
    [sent] = pulses_of(desk, first.id)
    [skipped] = pulses_of(desk, second.id)
    first_sent_at = start + DELAY
    assert (sent.state, sent.sent_at) == ("sent", first_sent_at)
    assert (skipped.state, skipped.skip_reason, skipped.sent_at) == ("skipped", "cooldown", None)
    assert [job.state for job in jobs_of_kind(desk, SEND)] == ["done", "done"]
    capsys.readouterr()
    assert show_jobs(Settings(_env_file=None, database_url=database_url)) == 0
    listing = capsys.readouterr().out
    assert SEND not in listing
    assert "satisfaction.close_pulse" in listing

    _advance_to(desk, first_sent_at + timedelta(hours=24) - DELAY)
    third = file_request(desk, "it My password expired")
    survey.resolve(third)
    desk.clock.advance(DELAY)
    assert run_jobs(desk).done == 1

    assert len(pulse_dms(desk, "U0ALICE")) == 2
    assert len(_pulse_dms_about(desk, "U0ALICE", third)) == 1
    [surveyed] = pulses_of(desk, third.id)
    assert (surveyed.state, surveyed.sent_at) == ("sent", first_sent_at + timedelta(hours=24))


def test_a_pulse_due_after_hours_on_friday_waits_for_monday_morning(
    desk: Desk, survey: Survey
) -> None:
    _advance_to(desk, datetime(2026, 11, 6, 17, 45, tzinfo=LONDON))
    request = file_request(desk)
    survey.resolve(request)
    monday_nine = datetime(2026, 11, 9, 9, 0, tzinfo=LONDON)

    desk.clock.advance(DELAY)
    summary = run_jobs(desk)

    assert (summary.ran, summary.deferred) == (0, 1)
    assert pulse_dms(desk, "U0ALICE") == []
    [pulse] = pulses(desk)
    job = job_of(desk, SEND, pulse.id)
    assert (pulse.state, job.state, job.attempts) == ("scheduled", "pending", 0)
    assert job.due_at == monday_nine

    for moment in (
        datetime(2026, 11, 6, 23, 0, tzinfo=LONDON),
        datetime(2026, 11, 7, 12, 0, tzinfo=LONDON),
        datetime(2026, 11, 8, 23, 59, tzinfo=LONDON),
        monday_nine - timedelta(seconds=1),
    ):
        _advance_to(desk, moment)
        assert run_jobs(desk).ran == 0
    assert pulse_dms(desk, "U0ALICE") == []

    _advance_to(desk, monday_nine)
    assert run_jobs(desk).done == 1

    [dm] = pulse_dms(desk, "U0ALICE")
    assert f"REQ-{request.id}" in dm.params["text"]
    [pulse] = pulses(desk)
    assert (pulse.state, pulse.sent_at) == ("sent", monday_nine)


def test_pulses_wait_for_nine_in_each_requesters_own_time_zone(desk: Desk, survey: Survey) -> None:
    zones = {"U0TOKYO": "Asia/Tokyo", "U0LOSANG": "America/Los_Angeles"}
    desk.fake.user_timezones.update(zones)
    survey.resolve_all(survey.file(*[("it My laptop will not boot", u) for u in zones]))

    first_pulse: dict[str, datetime] = {}
    end = desk.clock.now() + timedelta(hours=16)
    while desk.clock.now() < end:
        desk.clock.advance(timedelta(minutes=30))
        run_jobs(desk)
        for user in zones:
            if pulse_dms(desk, user):
                first_pulse.setdefault(user, desk.clock.now())

    assert first_pulse == {
        "U0LOSANG": datetime(2026, 11, 2, 17, 0, tzinfo=UTC),
        "U0TOKYO": datetime(2026, 11, 3, 0, 0, tzinfo=UTC),
    }
    for user, zone in zones.items():
        local = first_pulse[user].astimezone(ZoneInfo(zone))
        assert (local.hour, local.minute) == (9, 0)
        assert len(pulse_dms(desk, user)) == 1
    assert sorted((p.requester_id, p.state, p.sent_at) for p in pulses(desk)) == sorted(
        (user, "sent", first_pulse[user]) for user in zones
    )


def test_users_info_is_asked_once_per_requester_per_day(desk: Desk, survey: Survey) -> None:
    start = desk.clock.now()
    requests = survey.file(
        ("it My laptop will not boot", "U0ALICE"),
        ("it My laptop will not boot", "U0BOB"),
        ("it The VPN drops every hour", "U0ALICE"),
        ("it My password expired", "U0ALICE"),
    )
    for minutes, request in zip((0, 0, 5, 10), requests, strict=True):
        _advance_to(desk, start + timedelta(minutes=minutes))
        survey.resolve(request)
    for minutes in (0, 5, 10):
        _advance_to(desk, start + DELAY + timedelta(minutes=minutes))
        run_jobs(desk)

    assert Counter(p.state for p in pulses(desk)) == {"sent": 2, "skipped": 2}
    asked = Counter(c.params["user"] for c in desk.fake.calls_to("users.info"))
    assert asked == {"U0ALICE": 1, "U0BOB": 1}

    _advance_to(desk, start + timedelta(days=1, hours=1))
    survey.resolve(file_request(desk, "it My password expired"))
    desk.clock.advance(DELAY)
    assert run_jobs(desk).done == 1

    asked = Counter(c.params["user"] for c in desk.fake.calls_to("users.info"))
    assert asked == {"U0ALICE": 2, "U0BOB": 1}
    assert len(pulse_dms(desk, "U0ALICE")) == 2


def test_a_429_storm_delays_pulses_without_losing_or_repeating_any(
    desk: Desk, survey: Survey
) -> None:
    requesters = [f"U0REQ{n:04d}" for n in range(10)]
    survey.resolve_all(survey.file(*[("it My laptop will not boot", u) for u in requesters]))
    desk.clock.advance(DELAY)
    storm = MAX_ATTEMPTS + 1
    posts_before = len(desk.fake.calls_to("chat.postMessage"))
    desk.fake.rate_limit("chat.postMessage", times=storm, retry_after=1)

    summaries = []
    for _ in range(storm + 5):
        summaries.append(run_jobs(desk))
        if all(p.state == "sent" for p in pulses(desk)):
            break
        desk.clock.advance(timedelta(seconds=1))

    posts = desk.fake.calls_to("chat.postMessage")[posts_before:]
    delivered = posts[storm:]
    assert sorted(c.params["channel"] for c in delivered) == requesters
    assert all("How satisfied are you" in c.params["text"] for c in posts)
    assert [s.rate_limited_until is not None for s in summaries] == [True] * storm + [False]
    assert sum(s.done for s in summaries) == 10
    assert sum(s.failed + s.retrying for s in summaries) == 0
    sends = jobs_of_kind(desk, SEND)
    assert [(j.state, j.attempts, j.last_error) for j in sends] == [("done", 0, None)] * 10
    assert {p.state for p in pulses(desk)} == {"sent"}
    assert len(survey_messages(desk, "pulse")) == 10


def test_a_server_error_on_the_pulse_is_retried_with_backoff_and_sent_once(
    desk: Desk, survey: Survey, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(RandomJitter, "recalculate", lambda self, duration: duration)
    request = file_request(desk)
    survey.resolve(request)
    desk.clock.advance(DELAY)
    failing_calls = POST_ATTEMPTS
    posts_before = len(desk.fake.calls_to("chat.postMessage"))
    desk.fake.server_error("chat.postMessage", times=failing_calls)

    assert run_jobs(desk).retrying == 1

    [pulse] = pulses(desk)
    job = job_of(desk, SEND, pulse.id)
    assert (job.state, job.attempts) == ("pending", 1)
    assert job.last_error is not None
    assert "fatal_error" in job.last_error
    assert job.due_at == desk.clock.now() + backoff(1)
    assert survey_messages(desk, "pulse") == []
    desk.clock.advance(backoff(1) - timedelta(seconds=1))
    assert run_jobs(desk).ran == 0

    desk.clock.advance(timedelta(seconds=1))
    assert run_jobs(desk).done == 1

    posts = desk.fake.calls_to("chat.postMessage")[posts_before:]
    assert len(posts) == failing_calls + 1
    assert {c.params["channel"] for c in posts} == {"U0ALICE"}
    [pulse] = pulses(desk)
    assert pulse.state == "sent"
    assert job_of(desk, SEND, pulse.id).state == "done"
    [message] = survey_messages(desk, "pulse")
    assert message.channel_id == "D0ALICE"
    desk.clock.advance(timedelta(hours=1))
    run_jobs(desk)
    assert len(desk.fake.calls_to("chat.postMessage")) == posts_before + failing_calls + 1
