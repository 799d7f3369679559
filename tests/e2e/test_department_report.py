"""The weekly department report through the fake Slack: one message per department channel at
WEEKLY_PULSE_DAY/WEEKLY_PULSE_TIME, its chart shared once in the message's thread (also when
Slack's answer is lost, and across a restart), a quiet week in one line, none where it is off."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from models import Department, Job, SharedChart, WeeklyAnswer
from tests.e2e.conftest import DEPARTMENTS_TOML, TEAM_ID, Desk, DeskFactory
from tests.e2e.helpers import file_request, jobs_of, posts_to, resolve, run_jobs

IT, HR, FACILITIES = "C0IT000001", "C0HR000001", "C0FAC00001"
# The fake clock starts on Monday 2 November 2026 at 09:00 UTC; the report is due at 10:00.
THIS_MONDAY_10 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
NEXT_MONDAY_10 = THIS_MONDAY_10 + timedelta(days=7)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _advance_to(desk: Desk, moment: datetime) -> None:
    desk.clock.advance(moment - desk.clock.now())


def _schedule(desk: Desk) -> None:
    desk.pulsedesk.services.department_reports.schedule(team_id=TEAM_ID)


def _run_until_settled(desk: Desk) -> None:
    """Tick, moving past each retry's backoff, until no report job is left to run."""
    for _ in range(10):
        run_jobs(desk)
        waiting = [
            job
            for kind in ("department_report.post", "department_report.heatmap")
            for job in jobs_of(desk, kind)
            if job.state == "pending"
        ]
        if all(job.due_at > desk.clock.now() + timedelta(days=1) for job in waiting):
            return
        desk.clock.advance(timedelta(minutes=5))
    raise AssertionError("the report jobs did not settle")


def _reports(desk: Desk, channel: str) -> list[dict[str, object]]:
    """The channel's top-level messages from the report, oldest first."""
    return [
        m
        for m in reversed(desk.fake.history.get(channel, []))
        if (m.get("metadata") or {}).get("event_type") == "pulsedesk_department_report"
    ]


def _shared_files(desk: Desk, channel: str, thread_ts: str) -> list[dict[str, object]]:
    thread = desk.fake.workspace.thread(channel, thread_ts) or []
    return [shared for message in thread for shared in message.get("files") or []]


def _file_some_requests(desk: Desk) -> None:
    _advance_to(desk, THIS_MONDAY_10 + timedelta(days=1))
    first = file_request(desk, "it My laptop will not boot <!channel>", user="U0ALICE")
    file_request(desk, "it VPN drops every hour", user="U0BOB")
    desk.clock.advance(timedelta(hours=3))
    resolve(desk, first)


def test_each_department_gets_one_report_and_its_chart_once(desk: Desk) -> None:
    _file_some_requests(desk)
    _schedule(desk)
    _schedule(desk)
    assert sorted(job.unique_key for job in jobs_of(desk, "department_report.post")) == sorted(
        f"department_report.post:{department}:2026-W46" for department in (1, 2, 3)
    )
    _advance_to(desk, NEXT_MONDAY_10 - timedelta(seconds=1))
    run_jobs(desk)
    assert _reports(desk, IT) == []
    _advance_to(desk, NEXT_MONDAY_10)
    _run_until_settled(desk)

    [report] = _reports(desk, IT)
    text = json.dumps(report["blocks"])
    assert report["text"] == "IT Help Desk: the week to 09 Nov"
    assert "*Requests filed*\\n2 _(was 0)_" in text
    assert "*Oldest open* (1 open)" in text
    assert "VPN drops every hour" in text
    assert "<!channel>" not in text
    [chart] = _shared_files(desk, IT, str(report["ts"]))
    assert chart["name"] == "it-2026-W46-trend.png"
    content = desk.fake.workspace.file_content(str(chart["id"]))
    assert content is not None
    assert content.startswith(PNG_SIGNATURE)
    assert len(desk.fake.calls_to("files.completeUploadExternal")) == 1

    # Nothing happened in HR or Facilities: one line, no chart.
    for channel in (HR, FACILITIES):
        [quiet] = _reports(desk, channel)
        assert "a quiet week" in str(quiet["text"])
        assert len(quiet["blocks"]) == 1  # type: ignore[arg-type]
        assert _shared_files(desk, channel, str(quiet["ts"])) == []

    with desk.session_factory() as session:
        charts = session.scalars(select(SharedChart)).all()
        assert [(c.key, c.file_id, c.message_ts) for c in charts] == [
            ("trend:it:2026-W46", chart["id"], report["ts"])
        ]
        # Each report schedules its department's next one.
        pending = session.scalars(
            select(Job.unique_key).where(
                Job.kind == "department_report.post", Job.state == "pending"
            )
        ).all()
    assert sorted(pending) == sorted(
        f"department_report.post:{department}:2026-W47" for department in (1, 2, 3)
    )


def test_a_lost_answer_and_a_restart_share_the_chart_once(
    desk: Desk, desk_with: DeskFactory
) -> None:
    _file_some_requests(desk)
    _schedule(desk)
    _advance_to(desk, NEXT_MONDAY_10)
    # Slack posts the report and shares the chart, and each time the answer is lost.
    desk.fake.lose_answer("chat.postMessage", how="drop")
    desk.fake.lose_answer("files.completeUploadExternal", how="500")
    _run_until_settled(desk)
    # A restart schedules again, and runs whatever is due: nothing more is sent.
    restarted = desk_with()
    _schedule(restarted)
    _run_until_settled(restarted)

    [report] = _reports(desk, IT)
    assert len(_shared_files(desk, IT, str(report["ts"]))) == 1
    assert len(desk.fake.calls_to("files.completeUploadExternal")) == 1
    with desk.session_factory() as session:
        assert session.scalar(select(SharedChart.file_id)) is not None


def test_a_department_can_turn_the_report_off(desk_with: DeskFactory) -> None:
    departments = DEPARTMENTS_TOML.replace(
        'keywords = ["desk", "badge", "vpn"]',
        'keywords = ["desk", "badge", "vpn"]\nweekly_report = false',
    )
    desk = desk_with(departments_toml=departments)
    _schedule(desk)
    _advance_to(desk, THIS_MONDAY_10)
    _run_until_settled(desk)
    assert _reports(desk, FACILITIES) == []
    assert posts_to(desk, FACILITIES) == []
    assert len(_reports(desk, IT)) == 1


def _icsq_answers(desk: Desk, *, scores: tuple[int, ...]) -> None:
    """Answers about IT's responsiveness in the week of 26 October, final by 9 November."""
    with desk.session_factory.begin() as session:
        it = session.scalar(select(Department.id).where(Department.key == "it"))
        for score in scores:
            session.add(
                WeeklyAnswer(
                    id=uuid.uuid4().hex,
                    team_id=TEAM_ID,
                    week="2026-W44",
                    department_id=it,
                    kind="icsq",
                    area="responsiveness",
                    score=score,
                )
            )


def _heatmaps(desk: Desk, admin: str) -> list[dict[str, object]]:
    dm = desk.fake.workspace.dm_channel(admin)
    return [f for m in desk.fake.history.get(dm, []) for f in m.get("files") or []]


def test_each_admin_gets_the_icsq_heatmap_once(desk_with: DeskFactory) -> None:
    desk = desk_with(admin_users="U0ADMIN1,U0ADMIN2")
    _icsq_answers(desk, scores=(5, 4, 4, 3, 5))
    _schedule(desk)
    _advance_to(desk, THIS_MONDAY_10)
    # Nothing has enough answers yet: no heatmap is sent.
    _run_until_settled(desk)
    assert _heatmaps(desk, "U0ADMIN1") == []

    _advance_to(desk, NEXT_MONDAY_10)
    # The first admin's heatmap is shared and the answer lost: the retry finds it there.
    desk.fake.lose_answer("files.completeUploadExternal", how="500")
    _run_until_settled(desk)

    for admin in ("U0ADMIN1", "U0ADMIN2"):
        [heatmap] = _heatmaps(desk, admin)
        assert heatmap["name"] == "icsq-2026-W46.png"
        content = desk.fake.workspace.file_content(str(heatmap["id"]))
        assert content is not None
        assert content.startswith(PNG_SIGNATURE)
    with desk.session_factory() as session:
        recorded = session.scalars(
            select(SharedChart.user_id).where(SharedChart.kind == "heatmap")
        ).all()
    assert sorted(recorded) == ["U0ADMIN1", "U0ADMIN2"]
    shared_in = [c.params["channel_id"] for c in desk.fake.calls_to("files.completeUploadExternal")]
    assert shared_in == ["D0ADMIN1", "D0ADMIN2"]

    # Each admin's Home shows the heatmap they were sent, from Slack's copy.
    assert (
        desk.slack.event({"type": "app_home_opened", "user": "U0ADMIN2", "tab": "home"}).status
        == 200
    )
    [home] = desk.fake.wait_for_call(
        "views.publish", where=lambda c: c.params["user_id"] == "U0ADMIN2"
    )
    images = [b for b in home.params["view"]["blocks"] if b["type"] == "image"]
    assert {"id": _heatmaps(desk, "U0ADMIN2")[0]["id"]} in [image["slack_file"] for image in images]
